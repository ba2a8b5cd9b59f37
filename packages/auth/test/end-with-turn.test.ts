import { once } from "node:events";
import { request, type ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { endWithTurn } from "../src/http/end-with-turn.js";
import { get, serve } from "./local-http.js";

/**
 * A server that leaves the response to `/parked` unanswered and answers every
 * other request with `answer(parked, res)`, so both end in the same turn.
 */
async function serveParking(answer: (parked: ServerResponse, res: ServerResponse) => void): Promise<{ port: number; parked: Promise<ServerResponse> }> {
  let park!: (res: ServerResponse) => void;
  const parked = new Promise<ServerResponse>((resolve) => (park = resolve));
  let parkedResponse: ServerResponse | undefined;
  const port = await serve((req, res) => {
    if (req.url === "/parked") {
      parkedResponse = res;
      park(res);
    } else {
      answer(parkedResponse!, res);
    }
  });
  return { port, parked };
}

describe("endWithTurn", () => {
  it("ends the response after the current turn, not during it", async () => {
    const endedDuringTurn: boolean[] = [];
    const port = await serve((_req, res) => {
      endWithTurn(res, "sent");
      endedDuringTurn.push(res.writableEnded);
    });
    expect((await get(port, "/")).body).toBe("sent");
    expect(endedDuringTurn).toEqual([false]);
  });

  it("sends the rest of a turn's answers when one of them cannot be sent", async () => {
    const { port, parked } = await serveParking((first, res) => {
      // Both in one turn: a body res.end throws on (not a string or Buffer), then a good one.
      endWithTurn(first, 42 as unknown as string);
      endWithTurn(res, "second");
    });
    const firstAnswer = get(port, "/parked");
    await parked;
    expect((await get(port, "/second")).body).toBe("second");
    expect((await firstAnswer).error).toBe("ECONNRESET");
  });

  it("sends the rest of a turn's answers when a client left before its answer went out", async () => {
    const { port, parked } = await serveParking((gone, res) => {
      endWithTurn(gone, "nobody reads this");
      endWithTurn(res, "still answered");
    });
    const leaving = request({ port, path: "/parked", agent: false }).on("error", () => {});
    leaving.end();
    // The client gives up once the server has its request; that answer then goes to a closed socket.
    const gone = await parked;
    const closed = once(gone, "close");
    leaving.destroy();
    await closed;
    expect((await get(port, "/next")).body).toBe("still answered");
    expect(gone.destroyed).toBe(true);
  });
});
