import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, tempDataDir, type ServerProcess } from "./server-process.js";
import { sharedStoreAvailable, sharedStores, type SharedStore, type SharedStoreKind } from "./shared-stores.js";

const SECRET = Buffer.alloc(32, 9).toString("base64");
const kinds = Object.keys(sharedStores) as SharedStoreKind[];
const available = Object.fromEntries(await Promise.all(kinds.map(async (kind) => [kind, await sharedStoreAvailable(kind)] as const)));

describe.each(kinds)("two server processes sharing one store on %s", (kind) => {
  let store: SharedStore;
  let a: ServerProcess;
  let b: ServerProcess;
  const env = () => ({
    AUTH_STORE_URL: store.url,
    AUTH_JWT_SECRET: SECRET,
    // As behind one load balancer: each test speaks for its own client address.
    TRUST_PROXY: "1",
    ADMIN_EMAIL: "ops@example.com",
    ADMIN_PASSWORD: "an operator passphrase",
    AUTH_LIMITS: JSON.stringify({ "login.ip": "20/1m", "login.email": "1000/1m", "signup.ip": "1000/1m", default: "10000/1m" }),
  });
  beforeAll(async () => {
    if (!available[kind]) return;
    store = await sharedStores[kind].open();
    [a, b] = await Promise.all([
      startServerProcess({ ...env(), AUTH_DATA_DIR: tempDataDir() }),
      startServerProcess({ ...env(), AUTH_DATA_DIR: tempDataDir() }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await store?.close();
  });
  const test = it.skipIf(!available[kind]);
  const call = async (server: ServerProcess, procedure: string, input: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}/trpc/${procedure}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Auth-Mode": "token", ...headers },
      body: JSON.stringify(input),
    });
    return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const me = (server: ServerProcess, token: string) => fetch(`${server.url}/trpc/auth.me`, { headers: { Authorization: `Bearer ${token}` } });

  test("creates one account when 20 signups of one email race over both", async () => {
    const email = `race-${randomUUID()}@example.com`;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call(i % 2 ? a : b, "auth.signup", { email, password: "a long enough passphrase" })),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.body.error?.data?.reason === "email_taken")).toHaveLength(19);
  });

  test("honours a token from A on B, revokes on B at once after logout on A, and detects reuse across them", { timeout: 30_000 }, async () => {
    const email = `cross-${randomUUID()}@example.com`;
    const signup = (await call(a, "auth.signup", { email, password: "a long enough passphrase" })).body.result.data;
    expect((await me(b, signup.accessToken)).status).toBe(200);

    const refreshed = await Promise.all([
      call(a, "auth.refresh", { refreshToken: signup.refreshToken }),
      call(b, "auth.refresh", { refreshToken: signup.refreshToken }),
    ]);
    expect(refreshed.map((r) => r.status)).toEqual([200, 200]);
    expect(refreshed[0]!.body.result.data.refreshToken).toBe(refreshed[1]!.body.result.data.refreshToken);

    const login = (await call(b, "auth.login", { email, password: "a long enough passphrase" })).body.result.data;
    await fetch(`${a.url}/trpc/auth.logout`, { method: "POST", headers: { Authorization: `Bearer ${login.accessToken}` } });
    expect((await me(b, login.accessToken)).status).toBe(401);

    // Reuse after the grace period, presented to the other instance, ends the session everywhere.
    const rotated = (await call(a, "auth.refresh", { refreshToken: login.refreshToken })).body;
    expect(rotated.error.data.reason).toBe("refresh_invalid");
    const fresh = (await call(a, "auth.login", { email, password: "a long enough passphrase" })).body.result.data;
    const next = (await call(a, "auth.refresh", { refreshToken: fresh.refreshToken })).body.result.data;
    await new Promise((resolve) => setTimeout(resolve, 10_500));
    const replay = await call(b, "auth.refresh", { refreshToken: fresh.refreshToken });
    expect(replay.body.error.data.reason).toBe("refresh_reused");
    expect((await me(a, next.accessToken)).status).toBe(401);
  });

  test.each([
    [40, "203.0.113.40"],
    [60, "203.0.113.60"],
  ])("rate limits exactly across both: %i concurrent logins from one IP, exactly 20 pass the login.ip rule", async (total, ip) => {
    const results = await Promise.all(
      Array.from({ length: total }, (_, i) =>
        call(i % 2 ? a : b, "auth.login", { email: `nobody-${i}@example.com`, password: "wrong password" }, { "X-Forwarded-For": ip }),
      ),
    );
    const reasons = results.map((r) => r.body.error?.data?.reason);
    expect(reasons.filter((r) => r === "invalid_credentials")).toHaveLength(20);
    expect(reasons.filter((r) => r === "rate_limited")).toHaveLength(total - 20);
  });

  test("keeps one unbroken audit chain while both append", async () => {
    const logins = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(i % 2 ? a : b, "auth.signup", { email: `chain-${i}-${randomUUID()}@example.com`, password: "a long enough passphrase" }),
      ),
    );
    expect(logins.every((r) => r.status === 200)).toBe(true);
    const admin = (await call(a, "auth.login", { email: "ops@example.com", password: "an operator passphrase" })).body.result.data;
    // Appends run just after each response; give them a moment to land.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const verified = (await (await fetch(`${b.url}/trpc/admin.verifyAuditLog`, { headers: { Authorization: `Bearer ${admin.accessToken}` } })).json()) as {
      result: { data: { ok: boolean; checked: number } };
    };
    expect(verified.result.data.ok).toBe(true);
    expect(verified.result.data.checked).toBeGreaterThanOrEqual(11);
  });

  // Last: it takes the store away from both (on a cluster, one master and what it held).
  test("fails closed on both while the store is away (503 store_unavailable), then both recover by themselves", { timeout: 90_000 }, async () => {
    const login = (server: ServerProcess) =>
      call(server, "auth.login", { email: "ops@example.com", password: "an operator passphrase" }, { "X-Forwarded-For": "203.0.113.99" });
    const health = async (server: ServerProcess) => (await fetch(`${server.url}/health`)).status;
    expect([await health(a), await health(b)]).toEqual([200, 200]);

    await store.takeAway();
    for (const server of [a, b]) {
      expect(await health(server)).toBe(503);
      const refused = await login(server);
      expect(refused.status).toBe(503);
      expect(refused.body.error.data.reason).toBe("store_unavailable");
    }
    expect([a.child.exitCode, b.child.exitCode]).toEqual([null, null]);

    await store.bringBack();
    for (const server of [a, b]) {
      await expect.poll(() => health(server), { timeout: 30_000 }).toBe(200);
      const signup = await call(server, "auth.signup", { email: `back-${randomUUID()}@example.com`, password: "a long enough passphrase" });
      expect(signup.status).toBe(200);
      expect(server.output()).not.toContain("unhandled_error");
    }
  });
});
