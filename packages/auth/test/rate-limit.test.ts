import { describe, expect, it } from "vitest";
import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import { openStore } from "@gatehouse/store";
import { createFakeClock } from "@gatehouse/store/testing";
import { dataOf, GOOD_PASSWORD, reasonOf, startServer, timed, uniqueEmail } from "./harness.js";
import { hasRedis, REDIS_URL } from "./redis.js";
import { createAnswerHold } from "../src/http/answer-hold.js";
import { holdOverloadedAnswer } from "../src/call-limits.js";
import { slowDownMs } from "../src/rate-limit/slow-down.js";
import { createCallContext } from "../src/context.js";
import type { Services } from "../src/services.js";

const minute = 60_000;

describe("rate limits", () => {
  it("login.email: the 5th call in a minute passes, the 6th gets 429 with Retry-After and headers", async () => {
    const server = await startServer({ limits: { "login.email": { max: 5, windowSeconds: 60 } } });
    const email = uniqueEmail();
    const attempts = [];
    for (let i = 0; i < 6; i += 1) attempts.push(await server.call("auth.login", { email, password: "wrong password" }));
    expect(attempts.slice(0, 5).map(reasonOf)).toEqual(Array(5).fill("invalid_credentials"));
    const refused = attempts[5]!;
    expect(refused.status).toBe(429);
    expect(reasonOf(refused)).toBe("rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.get("x-ratelimit-limit")).toBe("5");
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(refused.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000 - 120);
    expect(refused.headers.get("ratelimit-policy")).toContain('"login.email";q=5;w=60');
    expect(refused.headers.get("ratelimit")).toMatch(/"login\.email";r=0;t=\d+/);
    expect(attempts[0]!.headers.get("ratelimit-policy")).toBe('"login.ip";q=100000;w=60, "login.email";q=5;w=60');
    // Another email from the same IP is not affected by this one's limit.
    expect(reasonOf(await server.call("auth.login", { email: uniqueEmail(), password: "wrong password" }))).toBe("invalid_credentials");
    const logged = server.logLines().filter((l) => l.event === "rate_limited");
    expect(logged).toEqual([expect.objectContaining({ rule: "login.email", key: "email" })]);
    expect(JSON.stringify(logged)).not.toContain(email);
  });

  it("a refusal answered before tRPC (single call) is the same answer as one from the middleware (batch of one)", async () => {
    const server = await startServer({ limits: { "login.email": { max: 2, windowSeconds: 60 } } });
    const email = uniqueEmail();
    const input = { email, password: "wrong password" };
    const post = (query: string, body: unknown) =>
      fetch(`${server.url}/trpc/auth.login${query}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    // Only single calls are counted early; a batch (even of one) is counted by the middleware.
    const early = async () => ({ response: await post("", input), error: (json: unknown) => (json as { error: ErrorBody }).error });
    const batched = async () => ({ response: await post("?batch=1", { 0: input }), error: (json: unknown) => (json as [{ error: ErrorBody }])[0].error });
    type ErrorBody = { message: string; data: Record<string, unknown> };
    const reason = async ({ response, error }: Awaited<ReturnType<typeof early>>) => error(await response.json()).data.reason;
    // One counted on each path: both count, and neither counts twice.
    expect([await reason(await early()), await reason(await batched())]).toEqual(["invalid_credentials", "invalid_credentials"]);
    const [byEarly, byMiddleware] = [await early(), await batched()];
    const comparable = async ({ response, error }: Awaited<ReturnType<typeof early>>) => {
      const json = error(await response.json());
      expect(json.data.requestId).toEqual(expect.any(String));
      delete json.data.requestId;
      // Refused calls count too, so the later refusal waits a little longer.
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      json.message = json.message.replace(/\d+/, "N");
      const headers = ["content-type", "vary", "x-ratelimit-limit", "x-ratelimit-remaining", "ratelimit-policy", "cache-control", "x-content-type-options"];
      return { status: response.status, json, headers: headers.map((h) => [h, response.headers.get(h)]) };
    };
    const answered = await comparable(byEarly);
    expect(answered.status).toBe(429);
    expect(answered.json.data).toMatchObject({ reason: "rate_limited", path: "auth.login", httpStatus: 429 });
    expect(answered).toEqual(await comparable(byMiddleware));
    expect(server.logLines().filter((l) => l.event === "rate_limited")).toHaveLength(2);
  });

  it("counts the email rule whatever form the single call takes: a fragment in the URL, a byte-order mark in the body", async () => {
    const server = await startServer({ limits: { "login.email": { max: 2, windowSeconds: 60 } } });
    const { port } = new URL(server.url);
    // Raw HTTP: fetch() would drop the fragment before sending.
    const raw = (target: string, body: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1", () => {
          socket.write(
            `POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
          );
        });
        let answer = "";
        socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
        socket.on("end", () => resolve(answer.slice(answer.indexOf("\r\n\r\n") + 4)));
        socket.on("error", reject);
      });
    const reasons = async (send: (input: object) => Promise<unknown>) => {
      const input = { email: uniqueEmail(), password: "wrong password" };
      const out = [];
      for (let i = 0; i < 3; i += 1) out.push(await send(input));
      return out;
    };
    const batchWithFragment = (input: object) => raw("/trpc/auth.login?batch=1#", JSON.stringify({ 0: input })).then((b) => JSON.parse(b)[0].error.data.reason);
    const byteOrderMark = (input: object) => raw("/trpc/auth.login", `\uFEFF${JSON.stringify(input)}`).then((b) => JSON.parse(b).error.data.reason);
    expect(await reasons(batchWithFragment)).toEqual(["invalid_credentials", "invalid_credentials", "rate_limited"]);
    expect(await reasons(byteOrderMark)).toEqual(["invalid_credentials", "invalid_credentials", "rate_limited"]);
  });

  it("sliding window: a burst at the end of one window and the start of the next cannot pass twice the limit", async () => {
    const server = await startServer({ limits: { "signup.ip": { max: 4, windowSeconds: 60 } } });
    const windowStart = Math.ceil(server.clock.now() / minute) * minute;
    server.clock.advance(windowStart - server.clock.now() + 59_000);
    const signup = () => server.call("auth.signup", { email: uniqueEmail(), password: GOOD_PASSWORD });
    const late = await Promise.all(Array.from({ length: 4 }, signup));
    expect(late.every((r) => r.status === 200)).toBe(true);
    server.clock.advance(2_000);
    const early = await Promise.all(Array.from({ length: 4 }, signup));
    expect(early.filter((r) => r.status === 200)).toHaveLength(0);
    // Refused calls count too, so the window they fell in must pass as well.
    server.clock.advance(120_000);
    expect((await signup()).status).toBe(200);
  });

  it("default: authenticated calls count per user, not per IP", async () => {
    const server = await startServer({ limits: { default: { max: 3, windowSeconds: 60 } } });
    const a = dataOf(await server.call("auth.signup", { email: uniqueEmail(), password: GOOD_PASSWORD })).accessToken;
    const b = dataOf(await server.call("auth.signup", { email: uniqueEmail(), password: GOOD_PASSWORD })).accessToken;
    const me = (token: string) => server.call("auth.me", undefined, { query: true, bearer: token });
    for (let i = 0; i < 3; i += 1) expect((await me(a)).status).toBe(200);
    const refused = await me(a);
    expect(reasonOf(refused)).toBe("rate_limited");
    expect((await me(b)).status).toBe(200);
  });

  it("counts every call of a batch", async () => {
    const server = await startServer({ limits: { default: { max: 3, windowSeconds: 60 } } });
    const batch = await fetch(`${server.url}/trpc/${Array(5).fill("auth.me").join(",")}?batch=1`);
    const reasons = ((await batch.json()) as Array<{ error: { data: { reason: string } } }>).map((r) => r.error.data.reason);
    expect(reasons.filter((r) => r === "rate_limited")).toHaveLength(2);
    expect(reasons.filter((r) => r === "token_invalid")).toHaveLength(3);
  });

  describe.each([
    ["memory", async () => ({})],
    [
      "redis",
      async () => {
        const clock = createFakeClock();
        return { clock, store: await openStore(REDIS_URL, { clock: clock.now, prefix: `test:${randomUUID()}:` }) };
      },
    ],
  ] as const)("exactness on %s", (name, options) => {
    it.skipIf(name === "redis" && !hasRedis)("60 concurrent logins from one IP against login.ip 20 let exactly 20 through", async () => {
      const server = await startServer({ ...(await options()), limits: { "login.ip": { max: 20, windowSeconds: 60 } } });
      const results = await Promise.all(Array.from({ length: 60 }, () => server.call("auth.login", { email: uniqueEmail(), password: "wrong password" })));
      expect(results.filter((r) => reasonOf(r) === "invalid_credentials")).toHaveLength(20);
      expect(results.filter((r) => reasonOf(r) === "rate_limited")).toHaveLength(40);
    });
  });
});

describe("client IP", () => {
  it("ignores X-Forwarded-For with TRUST_PROXY=0", async () => {
    const server = await startServer({ limits: { "signup.ip": { max: 2, windowSeconds: 60 } } });
    const spoofed = (ip: string) => server.call("auth.signup", { email: uniqueEmail(), password: GOOD_PASSWORD }, { headers: { "X-Forwarded-For": ip } });
    expect((await spoofed("1.1.1.1")).status).toBe(200);
    expect((await spoofed("2.2.2.2")).status).toBe(200);
    expect(reasonOf(await spoofed("3.3.3.3"))).toBe("rate_limited");
  });

  it("with TRUST_PROXY=1 takes the address one hop from the right", async () => {
    const server = await startServer({ trustProxy: 1, limits: { "signup.ip": { max: 2, windowSeconds: 60 } } });
    const via = (xff: string) => server.call("auth.signup", { email: uniqueEmail(), password: GOOD_PASSWORD }, { headers: { "X-Forwarded-For": xff } });
    expect((await via("9.9.9.9, 1.1.1.1")).status).toBe(200);
    // The client-supplied left part changes, the proxy-appended hop does not: same client.
    expect((await via("8.8.8.8, 1.1.1.1")).status).toBe(200);
    expect(reasonOf(await via("7.7.7.7, 1.1.1.1"))).toBe("rate_limited");
    expect((await via("1.1.1.1, 2.2.2.2")).status).toBe(200);
    const session = server.logLines().find((l) => l.event === "signup" && l.ip === "2.2.2.2");
    expect(session).toBeDefined();
  });
});

describe("default rule buckets", () => {
  it("made-up API keys count against the caller's IP, not a bucket of their own", async () => {
    const server = await startServer({ limits: { default: { max: 3, windowSeconds: 60 } } });
    const fake = () => `gth_${Array.from({ length: 49 }, () => "abcdefghijklmnopqrstuvwxyz0123456789"[Math.floor(Math.random() * 36)]).join("")}`;
    const reasons = [];
    for (let i = 0; i < 5; i += 1) reasons.push(reasonOf(await server.call("auth.verifyEmail", { token: "x" }, { bearer: fake() })));
    expect(reasons.slice(3)).toEqual(["rate_limited", "rate_limited"]);
  });
});

describe("slowing down clients that keep hammering", () => {
  const decision = (used: number, limit: number) => ({ allowed: false, limit, used, remaining: 0, resetSeconds: 60, retryAfterSeconds: 60 });

  it("answers refusals up to twice the limit at once, then holds each further one 10 ms longer, up to the maximum", () => {
    expect(slowDownMs([decision(10, 5)], 1000)).toBe(0);
    expect(slowDownMs([decision(11, 5)], 1000)).toBe(10);
    expect(slowDownMs([decision(10.2, 5)], 1000)).toBe(10);
    expect(slowDownMs([decision(11, 5), decision(40, 20)], 1000)).toBe(10);
    expect(slowDownMs([decision(60, 5)], 1000)).toBe(500);
    expect(slowDownMs([decision(10_000, 5)], 1000)).toBe(1000);
    expect(slowDownMs([decision(10_000, 5)], 0)).toBe(0);
  });

  it("holds a 503 overloaded about one verification, never past slowDownMaxMs nor shorter than a hold already set", () => {
    const held = (slowDownMaxMs: number, holdAnswerMs = 0) => {
      const services = { config: { slowDownMaxMs }, limiter: { ledger: () => undefined } } as unknown as Services;
      const ctx = createCallContext(services, { meta: { ip: "192.0.2.1", userAgent: "", requestId: "test" } });
      ctx.http.holdAnswer(holdAnswerMs);
      holdOverloadedAnswer(ctx);
      return ctx.http.answerHoldMs;
    };
    expect(held(1000)).toBe(250);
    expect(held(100)).toBe(100);
    expect(held(0)).toBe(0);
    expect(held(1000, 600)).toBe(600);
  });

  it("holds the refusals of a key far past its limit, single calls and batches alike", async () => {
    const server = await startServer({ limits: { "login.email": { max: 1, windowSeconds: 60 } }, slowDownMaxMs: 300 });
    const input = { email: uniqueEmail(), password: "wrong password" };
    // 42 calls: the last ones are 40 past twice the limit, so held the full 300 ms.
    await Promise.all(Array.from({ length: 42 }, () => server.call("auth.login", input)));
    const post = (query: string, body: unknown) =>
      fetch(`${server.url}/trpc/auth.login${query}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const single = await timed(() => post("", input));
    const batch = await timed(() => post("?batch=1", { 0: input }));
    for (const { result: response, ms } of [single, batch]) {
      expect(response.status).toBe(429);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      // A timer never fires early, so this lower bound cannot flake.
      expect(ms).toBeGreaterThanOrEqual(295);
    }
  });

  it("frees a held answer's slot as soon as its client leaves", async () => {
    const hold = createAnswerHold(1);
    const client = Object.assign(new EventEmitter(), { destroyed: false }) as unknown as ServerResponse;
    const held = hold(60_000, client);
    client.emit("close");
    await held; // long before 60 s (the test would time out otherwise)
    // The slot is free again: the next answer is held, not sent at once.
    const next = hold(300).then(() => "held to the end");
    expect(await Promise.race([next, sleep(50).then(() => "still held after 50 ms")])).toBe("still held after 50 ms");
    expect(await next).toBe("held to the end");
  });

  it("holds at most maxHeld answers at once; the rest go out at once", async () => {
    const hold = createAnswerHold(1);
    const first = hold(200).then(() => "first");
    expect(await Promise.race([first, hold(200).then(() => "second")])).toBe("second");
    expect(await first).toBe("first");
  });
});
