import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOOD_PASSWORD, reasonOf, startServer, timed, uniqueEmail, wireErrorOf, type TestServer } from "./harness.js";

const ALLOWED = "https://app.example.com";
let server: TestServer;
let cookie: string;

beforeAll(async () => {
  server = await startServer({ corsOrigins: [ALLOWED] });
  const res = await server.call("auth.signup", { email: uniqueEmail(), password: GOOD_PASSWORD });
  cookie = res.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(() => server.close());

describe("CORS", () => {
  it("answers a preflight from a listed origin with credentials, a day's max-age and the exposed headers", async () => {
    const res = await fetch(`${server.url}/trpc/auth.login`, { method: "OPTIONS", headers: { Origin: ALLOWED, "Access-Control-Request-Method": "POST" } });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    expect(res.headers.get("access-control-max-age")).toBe("86400");
    expect(res.headers.get("access-control-allow-headers")).toContain("X-Auth-Mode");
    expect(res.headers.get("access-control-expose-headers")).toContain("X-RateLimit-Remaining");
    expect(res.headers.get("access-control-expose-headers")).toContain("Retry-After");
  });

  it("gives a foreign origin no Access-Control-Allow-Origin at all", async () => {
    const preflight = await fetch(`${server.url}/trpc/auth.login`, {
      method: "OPTIONS",
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const simple = await fetch(`${server.url}/health`, { headers: { Origin: "https://evil.example" } });
    expect(simple.headers.get("access-control-allow-origin")).toBeNull();
    const listed = await fetch(`${server.url}/health`, { headers: { Origin: ALLOWED } });
    expect(listed.headers.get("access-control-allow-origin")).toBe(ALLOWED);
  });

  it("says a tRPC answer varies by Origin, so a shared cache never hands one origin's CORS headers to another", async () => {
    const res = await fetch(`${server.url}/trpc/auth.me`, { headers: { Origin: ALLOWED } });
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("vary")?.split(/,\s*/)).toEqual(expect.arrayContaining(["Origin", "trpc-accept", "accept"]));
  });
});

describe("CSRF on cookie requests", () => {
  const refresh = (headers: Record<string, string>) =>
    fetch(`${server.url}/trpc/auth.refresh`, { method: "POST", headers: { Cookie: cookie, ...headers }, body: "{}" });

  it("refuses a cookie-carrying request from a foreign Origin or Referer", async () => {
    const foreign = await refresh({ "Content-Type": "application/json", Origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { data: { reason: string } } }).error.data.reason).toBe("forbidden");
    const viaReferer = await refresh({ "Content-Type": "application/json", Referer: "https://evil.example/page" });
    expect(viaReferer.status).toBe(403);
  });

  it("refuses form-style content types such as text/plain", async () => {
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      expect((await refresh({ "Content-Type": type, Origin: ALLOWED })).status, type).toBe(403);
    }
  });

  it("lets the same origin and listed origins through, and token mode needs no check", async () => {
    const same = await refresh({ "Content-Type": "application/json", Origin: server.url });
    expect(same.status).toBe(200);
    const next = same.headers.get("set-cookie")!.split(";")[0]!;
    const listed = await fetch(`${server.url}/trpc/auth.refresh`, {
      method: "POST",
      headers: { Cookie: next, "Content-Type": "application/json", Origin: ALLOWED },
      body: "{}",
    });
    expect(listed.status).toBe(200);
    const token = await server.call(
      "auth.login",
      { email: uniqueEmail(), password: GOOD_PASSWORD },
      { mode: "token", headers: { Origin: "https://evil.example" } },
    );
    expect(reasonOf(token)).toBe("invalid_credentials");
  });
});

describe("CSRF: an origin is scheme, host and port", () => {
  it("refuses our own host and port under another scheme (https://… on an http server)", async () => {
    const { host } = new URL(server.url);
    const res = await fetch(`${server.url}/trpc/auth.refresh`, {
      method: "POST",
      headers: { Cookie: cookie, "Content-Type": "application/json", Origin: `https://${host}` },
      body: "{}",
    });
    expect(res.status).toBe(403);
  });

  it("behind a trusted TLS proxy, takes the scheme the proxy reports", async () => {
    const proxied = await startServer({ trustProxy: 1 });
    const session = await proxied.call("auth.signup", { email: uniqueEmail(), password: GOOD_PASSWORD });
    const { host } = new URL(proxied.url);
    const call = (proto: string) =>
      fetch(`${proxied.url}/trpc/auth.refresh`, {
        method: "POST",
        headers: {
          Cookie: session.headers.get("set-cookie")!.split(";")[0]!,
          "Content-Type": "application/json",
          Origin: `https://${host}`,
          "X-Forwarded-Proto": proto,
        },
        body: "{}",
      });
    expect((await call("http")).status).toBe(403);
    expect((await call("https")).status).toBe(200);
  });
});

describe("hashing does not starve everything else", () => {
  it("sheds logins beyond the hashing queue with 503 overloaded and Retry-After, each held about one verification", async () => {
    const busy = await startServer({ bcryptCost: 12, hashingConcurrency: 1, hashingMaxQueued: 2 });
    const results = await Promise.all(
      Array.from({ length: 8 }, () => timed(() => busy.call("auth.login", { email: uniqueEmail(), password: "wrong password" }))),
    );
    const shed = results.filter((r) => reasonOf(r.result) === "overloaded");
    expect(shed.length).toBeGreaterThanOrEqual(5);
    expect(shed[0]!.result.status).toBe(503);
    expect(shed[0]!.result.headers.get("retry-after")).toBe("1");
    expect(wireErrorOf(shed[0]!.result).data).toMatchObject({
      reason: "overloaded",
      code: "SERVICE_UNAVAILABLE",
      httpStatus: 503,
      path: "auth.login",
      requestId: expect.any(String),
    });
    // Held 250 ms (a timer never fires early), so a client retrying at once cannot turn refusals into a CPU flood.
    for (const refusal of shed) expect(refusal.ms).toBeGreaterThanOrEqual(245);
    expect(results.filter((r) => reasonOf(r.result) === "invalid_credentials").length).toBeGreaterThanOrEqual(1);
  });

  it("holds a batch whose calls all failed, some refused by the hashing queue itself", async () => {
    // Cost 4: a hash takes about a millisecond, so only the hold can make this answer slow.
    const held = await startServer({ bcryptCost: 4, hashingConcurrency: 1, hashingMaxQueued: 0 });
    const inputs = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [i, { email: uniqueEmail(), password: "wrong password" }]));
    const batch = await timed(async () => {
      const res = await fetch(`${held.url}/trpc/${Array(6).fill("auth.login").join(",")}?batch=1`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(inputs),
      });
      return { reasons: ((await res.json()) as { error?: { data: { reason: string } } }[]).map((r) => r.error?.data.reason) };
    });
    expect(batch.result.reasons).toContain("overloaded");
    expect(batch.ms).toBeGreaterThanOrEqual(245);
  });
});
