import { describe, expect, it } from "vitest";
import { createReply } from "../src/http/reply.js";
import { get, serve } from "./local-http.js";

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

  it("resets the connection rather than send a value with a line break, reports it without the value, and keeps serving", async () => {
    const reported: unknown[] = [];
    let calls = 0;
    const port = await serve((_req, res) => {
      const reply = createReply(res, [], (error) => reported.push(error));
      if (calls++ === 0) reply.set("Set-Cookie", "refresh_token=SECRET-VALUE\r\nSet-Cookie: stolen=1");
      reply.send(200, "fine");
    });
    expect((await get(port)).error).toBe("ECONNRESET");
    expect(await get(port)).toMatchObject({ status: 200, body: "fine" });
    expect(reported).toHaveLength(1);
    expect(String(reported[0])).toContain("Set-Cookie");
    expect(String(reported[0])).not.toContain("SECRET-VALUE");
  });
});
