import { createServer, request, type IncomingHttpHeaders, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createReply } from "../src/http/reply.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

async function serve(listener: RequestListener): Promise<number> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  return (server.address() as AddressInfo).port;
}

function get(port: number): Promise<{ status?: number; headers?: IncomingHttpHeaders; raw?: string[]; body?: string; error?: string }> {
  return new Promise((resolve) => {
    request({ port, path: "/", agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, raw: res.rawHeaders, body }));
    })
      .on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code }))
      .end();
  });
}

describe("createReply", () => {
  it("sends its fields once each, the last value of a set field, every appended one, Vary merged and the body's length", async () => {
    const port = await serve((_req, res) => {
      const reply = createReply(res, ["X-Frame-Options", "DENY"]);
      reply.vary("Origin");
      reply.set("X-RateLimit-Remaining", "9");
      reply.set("x-ratelimit-remaining", "8");
      reply.append("Set-Cookie", "a=1");
      reply.append("Set-Cookie", "b=2");
      reply.vary("trpc-accept, accept");
      reply.send(201, "héllo");
    });
    const answer = await get(port);
    expect(answer.status).toBe(201);
    expect(answer.body).toBe("héllo");
    expect(answer.headers).toMatchObject({
      "x-frame-options": "DENY",
      "x-ratelimit-remaining": "8",
      "set-cookie": ["a=1", "b=2"],
      vary: "Origin, trpc-accept, accept",
      "content-length": String(Buffer.byteLength("héllo")),
    });
    const names = answer.raw!.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
    expect(names.filter((name) => name === "x-ratelimit-remaining")).toHaveLength(1);
  });

  it("does not share fields between replies made from one list", async () => {
    const base = ["X-Frame-Options", "DENY"] as const;
    let second = 0;
    const port = await serve((_req, res) => {
      const reply = createReply(res, base);
      if (second++ === 0) reply.set("X-Only-First", "1");
      reply.send(200, "");
    });
    expect((await get(port)).headers?.["x-only-first"]).toBe("1");
    expect((await get(port)).headers?.["x-only-first"]).toBeUndefined();
    expect(base).toEqual(["X-Frame-Options", "DENY"]);
  });

  it("resets the connection rather than send a value with a line break, and the server keeps serving", async () => {
    let calls = 0;
    const port = await serve((_req, res) => {
      const reply = createReply(res);
      if (calls++ === 0) reply.set("X-Injected", "ok\r\nSet-Cookie: stolen=1");
      reply.send(200, "fine");
    });
    expect((await get(port)).error).toBe("ECONNRESET");
    expect(await get(port)).toMatchObject({ status: 200, body: "fine" });
  });
});
