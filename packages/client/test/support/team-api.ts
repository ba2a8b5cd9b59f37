import { on, EventEmitter } from "node:events";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { initTRPC, tracked } from "@trpc/server";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { createVerifier } from "@gatehouse/verify";
import { gatehouseProcedures, type GatehouseContext } from "@gatehouse/verify/trpc";
import { TEST_SECRET, type GatehouseUnderTest } from "./gatehouse-server.js";

/** A team's own API on @gatehouse/verify, as its README wires one: what the SDK's link is for. */
function teamRouter(verifier: ReturnType<typeof createVerifier>, notes: EventEmitter) {
  const t = initTRPC.context<GatehouseContext>().create();
  const { authed, fresh } = gatehouseProcedures(t.procedure, verifier);
  return t.router({
    whoami: authed.query(({ ctx }) => ctx.user.userId),
    purge: fresh(5 * 60).mutation(({ ctx }) => `purged for ${ctx.user.userId}`),
    notes: authed.subscription(async function* ({ ctx, signal }) {
      for await (const [id, text] of on(notes, "note", { signal }) as AsyncIterable<[string, string]>) {
        yield tracked(id, { text, for: ctx.user.userId });
      }
    }),
  });
}
export type TeamRouter = ReturnType<typeof teamRouter>;

export interface TeamApi {
  url: string;
  /** Sends a note to every open stream, under a tracked event id. */
  publish(id: string, text: string): void;
  /** How many streams are listening for notes now. */
  listening(): number;
  /** Every request the API received: its URL and headers. */
  requests: Array<{ url: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

export async function startTeamApi(gatehouse: GatehouseUnderTest): Promise<TeamApi> {
  const verifier = createVerifier({
    issuer: "gatehouse",
    audience: "gatehouse-api",
    secret: Buffer.from(TEST_SECRET).toString("base64"),
    now: gatehouse.clock.now,
  });
  const notes = new EventEmitter();
  const requests: TeamApi["requests"] = [];
  const server: Server = createHTTPServer({
    router: teamRouter(verifier, notes),
    createContext: ({ req }) => {
      requests.push({ url: req.url ?? "", headers: req.headers });
      return { authorization: req.headers.authorization };
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    publish: (id, text) => void notes.emit("note", id, text),
    listening: () => notes.listenerCount("note"),
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
