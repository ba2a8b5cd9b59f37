import { randomUUID } from "node:crypto";
import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import { createRedisBackend, createStore, openStore } from "@gatehouse/store";
import { createAuditTrail } from "../src/features/audit/audit-trail.js";
import { createFakeClock, type FakeClock } from "@gatehouse/store/testing";
import { challengeOf, dataOf, GOOD_PASSWORD, signedInOf, startServer, uniqueEmail } from "./harness.js";
import { refusalOf, startGatehouse, type Gatehouse } from "./support/gatehouse.js";
import { hasRedis, REDIS_URL, startDedicatedRedis } from "./redis.js";
import { closeWhenTestEnds } from "./support/cleanup.js";
import { AUDIT_TEST_KEY, auditSample } from "./support/audit-samples.js";

/** A Redis store under `prefix`, closed when the test ends. */
async function openRedis(clock: FakeClock, prefix: string) {
  const store = await openStore(REDIS_URL, { clock: clock.now, prefix });
  closeWhenTestEnds(() => store.close());
  return store;
}

async function admin(gatehouse: Gatehouse) {
  const email = uniqueEmail("admin");
  const data = await gatehouse.api.auth.signup({ email, password: GOOD_PASSWORD });
  await gatehouse.services.users.update(data.user.id, (u) => ({ ...u, role: "admin" }));
  return data.accessToken as string;
}

describe("audit trail", () => {
  it("records security events with actor, action, target, IP, user agent and request id; verification passes", async () => {
    const gatehouse = await startGatehouse();
    const token = await admin(gatehouse);
    await gatehouse.caller({ userAgent: "audit-test/1", requestId: "req-audit-1" }).auth.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    // No waiting: a call answers once its records are written.
    const page = await gatehouse.as(token).admin.auditLog({ limit: 10 });
    expect(page.items[0]).toMatchObject({ action: "signup", ip: "127.0.0.1", userAgent: "audit-test/1", requestId: "req-audit-1", result: "success" });
    expect(page.items[0]!.seq).toBeGreaterThan(page.items[1]!.seq);
    const verified = await gatehouse.as(token).admin.verifyAuditLog();
    expect(verified).toEqual({ ok: true, checked: page.items.length });
  });

  it("treats entries past the retention period as aged out once pruned, not as tampering", async () => {
    const gatehouse = await startGatehouse();
    const audit = createAuditTrail(gatehouse.store, gatehouse.clock.now, 1, AUDIT_TEST_KEY);
    for (let i = 1; i <= 3; i += 1) await audit.append(auditSample(i));
    gatehouse.clock.advance(25 * 3600_000);
    for (let i = 4; i <= 5; i += 1) await audit.append(auditSample(i));
    await audit.prune();
    expect(await gatehouse.store.log("audit").get(3)).toBeUndefined();
    expect(await gatehouse.store.log("audit").get(4)).toBeDefined();
    expect(await audit.verify()).toEqual({ ok: true, checked: 2 });
  });

  it("never prunes the newest entry, so the chain keeps its end", async () => {
    const gatehouse = await startGatehouse();
    const audit = createAuditTrail(gatehouse.store, gatehouse.clock.now, 1, AUDIT_TEST_KEY);
    for (let i = 1; i <= 3; i += 1) await audit.append(auditSample(i));
    gatehouse.clock.advance(25 * 3600_000);
    await audit.prune();
    expect(await audit.verify()).toEqual({ ok: true, checked: 1 });
    expect((await audit.append(auditSample(4))).seq).toBe(4);
    expect(await audit.verify()).toEqual({ ok: true, checked: 2 });
  });

  describe.each([
    ["memory", false],
    ["redis", true],
  ] as const)("concurrent appends on %s", (_name, redis) => {
    it.skipIf(redis && !hasRedis)("keep one unbroken, gap-free chain when two instances append 200 entries at once", async () => {
      const clock = createFakeClock();
      const prefix = `test:${randomUUID()}:`;
      const gatehouse = await startGatehouse(redis ? { clock, store: await openRedis(clock, prefix) } : { clock });
      const otherStore = redis ? await openRedis(clock, prefix) : gatehouse.store;
      const before = await gatehouse.store.log("audit").length();
      // Small batches so the two writers race each other many times.
      const a = createAuditTrail(gatehouse.store, clock.now, 365, AUDIT_TEST_KEY, { maxBatch: 3 });
      const b = createAuditTrail(otherStore, clock.now, 365, AUDIT_TEST_KEY, { maxBatch: 3 });
      const appended = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).append(auditSample(i))));
      expect(new Set(appended.map((e) => e.seq)).size).toBe(200);
      expect(await gatehouse.store.log("audit").length()).toBe(before + 200);
      expect(await a.verify()).toEqual({ ok: true, checked: before + 200 });
    });
  });

  it.skipIf(!hasRedis)("writes a batch once when its answer was lost but the append landed (a hung Redis that resumes)", { timeout: 30_000 }, async () => {
    const redis = await startDedicatedRedis();
    const clock = createFakeClock();
    const store = createStore(await createRedisBackend({ url: redis.url, commandTimeoutMs: 150 }), "gh:");
    closeWhenTestEnds(() => store.close());
    const audit = createAuditTrail(store, clock.now, 365, AUDIT_TEST_KEY, { attemptsWhileUnavailable: 100, backoffMs: 50 });
    await audit.append(auditSample(1));
    redis.hang();
    // Sent while Redis is stopped: it times out here, and Redis runs it once it resumes.
    const pending = audit.append(auditSample(2));
    await new Promise((resolve) => setTimeout(resolve, 700));
    redis.resume();
    expect((await pending).seq).toBe(2);
    expect(await store.log("audit").length()).toBe(2);
    expect(await audit.verify()).toEqual({ ok: true, checked: 2 });
  });

  it.skipIf(!hasRedis)("fails the call with store_unavailable, and logs the record in full, when its audit entry cannot be written", async () => {
    const clock = createFakeClock();
    const prefix = `test:${randomUUID()}:`;
    const store = await openRedis(clock, prefix);
    const gatehouse = await startGatehouse({ clock, store });
    // The trail's key holds a string: every append to it fails in Redis itself.
    const raw = await openRedis(clock, "");
    await raw.set(`{${prefix}audit}:log`, "not a log");
    const email = uniqueEmail();
    expect(await refusalOf(gatehouse.caller({ requestId: "req-unrecorded" }).auth.signup({ email, password: GOOD_PASSWORD }))).toBe("store_unavailable");
    const failed = gatehouse.logLines().find((l) => l.event === "event_store_failed" && l.failedEvent === "signup" && (l.record as { audit?: unknown })?.audit);
    expect(failed?.record).toMatchObject({ audit: { action: "signup", requestId: "req-unrecorded", result: "success" } });
    await raw.delete(`{${prefix}audit}:log`);
  });

  it("is admin only", async () => {
    const gatehouse = await startGatehouse();
    const user = (await gatehouse.api.auth.signup({ email: uniqueEmail(), password: GOOD_PASSWORD })).accessToken;
    expect(await refusalOf(gatehouse.as(user).admin.auditLog({}))).toBe("forbidden");
    expect(await refusalOf(gatehouse.as(user).admin.verifyAuditLog())).toBe("forbidden");
  });
});

describe("activity.list", () => {
  it("shows the caller's own events newest first with IP and user agent, paginated by cursor, and never another user's", async () => {
    const gatehouse = await startGatehouse();
    const email = uniqueEmail();
    const alice = await gatehouse.caller({ userAgent: "alice-phone" }).auth.signup({ email, password: GOOD_PASSWORD });
    expect(await refusalOf(gatehouse.api.auth.login({ email, password: "wrong password" }))).toBe("invalid_credentials");
    await gatehouse.caller({ userAgent: "alice-laptop" }).auth.login({ email, password: GOOD_PASSWORD });
    const bob = (await gatehouse.api.auth.signup({ email: uniqueEmail(), password: GOOD_PASSWORD })).accessToken;
    await gatehouse.services.events.drain();

    const first = await gatehouse.as(alice.accessToken).activity.list({ limit: 2 });
    expect(first.items.map((i: { event: string }) => i.event)).toEqual(["login_success", "login_failed"]);
    expect(first.items[0]).toMatchObject({ ip: "127.0.0.1", userAgent: "alice-laptop" });
    const second = await gatehouse.as(alice.accessToken).activity.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((i: { event: string }) => i.event)).toEqual(["signup"]);
    expect(second.nextCursor).toBeNull();
    const bobs = await gatehouse.as(bob).activity.list({});
    expect(bobs.items.map((i: { event: string }) => i.event)).toEqual(["signup"]);
    expect(await refusalOf(gatehouse.as(bob).activity.list({ limit: 101 }))).toBe("validation_failed");

    const key = (await gatehouse.as(alice.accessToken).apiKeys.create({ name: "feed", scopes: ["activity:read"] })).key;
    await gatehouse.as(key).activity.list({});
    const wrongScope = (await gatehouse.as(alice.accessToken).apiKeys.create({ name: "me", scopes: ["profile:read"] })).key;
    expect(await refusalOf(gatehouse.as(wrongScope).activity.list({}))).toBe("forbidden");
  });
});

describe("activity log retention", () => {
  it("keeps a user's 200 newest events, paged newest first to the oldest kept", async () => {
    const gatehouse = await startGatehouse();
    const alice = await gatehouse.api.auth.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    for (let i = 1; i <= 210; i += 1) await gatehouse.services.activity.append(alice.user.id, { event: `event_${i}`, ip: "127.0.0.1", userAgent: "test" });
    const seen: string[] = [];
    for (let cursor: string | null | undefined; cursor !== null;) {
      const page = await gatehouse.as(alice.accessToken).activity.list({ limit: 100, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((e: { event: string }) => e.event));
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(200);
    expect(seen[0]).toBe("event_210");
    expect(seen.at(-1)).toBe("event_11");
  });
});

// On the wire: the HTTP layer writes the `request` lines this checks.
describe("structured log over a full scenario", () => {
  it("has every expected event and none of the secrets it saw", async () => {
    const server = await startServer({
      appUrl: "https://app.example.com",
      limits: { "login.email": { max: 100, windowSeconds: 60 }, "reset.email": { max: 1, windowSeconds: 3600 } },
    });
    const secrets: string[] = [];
    const email = uniqueEmail("scenario");
    const password = "scenario passphrase 42";
    secrets.push(password);
    const signup = dataOf(await server.call("auth.signup", { email, password }, { mode: "token" }));
    secrets.push(signup.accessToken, signup.refreshToken!);
    const login = signedInOf(await server.call("auth.login", { email, password }, { mode: "token" }));
    secrets.push(login.accessToken, login.refreshToken!, login.deviceToken!);
    await server.call("auth.login", { email, password: "wrong guess 1" });
    const victim = uniqueEmail("locked");
    for (let i = 0; i < 11; i += 1) await server.call("auth.login", { email: victim, password: `guess number ${i}` });
    for (let i = 0; i < 2; i += 1) await server.call("auth.requestPasswordReset", { email: victim });
    const rotated = dataOf(await server.call("auth.refresh", { refreshToken: login.refreshToken }, { mode: "token" }));
    secrets.push(rotated.accessToken, rotated.refreshToken!);
    server.clock.advance(11_000);
    await server.call("auth.refresh", { refreshToken: login.refreshToken }, { mode: "token" });
    await server.call("auth.requestEmailVerification", undefined, { bearer: signup.accessToken });
    const verifyToken = /token=([A-Za-z0-9_-]+)/.exec((await server.outbox()).find((m) => m.subject.startsWith("Confirm"))!.text)![1]!;
    secrets.push(verifyToken);
    await server.call("auth.verifyEmail", { token: verifyToken });
    await server.call("auth.requestPasswordReset", { email });
    const resetMail = (await server.outbox()).find((m) => m.subject === "Reset your password")!;
    const resetToken = /token=([A-Za-z0-9_-]+)/.exec(resetMail.text)![1]!;
    const newPassword = "another scenario passphrase";
    secrets.push(resetToken, newPassword);
    await server.call("auth.resetPassword", { token: resetToken, password: newPassword });
    const fresh = signedInOf(await server.call("auth.login", { email, password: newPassword }, { mode: "token" }));
    secrets.push(fresh.accessToken, fresh.refreshToken!);
    const key = dataOf(await server.call("apiKeys.create", { name: "ci", scopes: ["profile:read"] }, { bearer: fresh.accessToken }));
    secrets.push(key.key);
    await server.call("auth.me", undefined, { query: true, bearer: key.key });
    const setup = dataOf(await server.call("mfa.setupTotp", undefined, { bearer: fresh.accessToken }));
    const code = generateHOTP(decodeBase32IgnorePadding(setup.secret), BigInt(Math.floor(server.clock.now() / 30_000)), 6);
    const codes = dataOf(await server.call("mfa.enableTotp", { code }, { bearer: fresh.accessToken })).recoveryCodes;
    secrets.push(setup.secret, code, ...codes);
    const challenge = challengeOf(await server.call("auth.login", { email, password: newPassword }));
    secrets.push(challenge.mfaToken);
    await server.call("auth.verifyMfa", { mfaToken: challenge.mfaToken, code: codes[0]! });
    await server.call("auth.logout", undefined, { bearer: fresh.accessToken });
    await server.services.events.drain();

    const lines = server.logLines();
    const text = lines.map((l) => JSON.stringify(l)).join("\n");
    for (const secret of secrets) expect(text, "a secret reached the log").not.toContain(secret);
    expect(text).not.toContain(email);
    const events = new Set(lines.map((l) => l.event));
    for (const expected of [
      "request",
      "signup",
      "login_success",
      "login_failed",
      "login_locked",
      "rate_limited",
      "refresh_token_reuse",
      "token_revoked",
      "reset_token_created",
      "password_reset",
      "api_key_created",
      "mfa_enabled",
      "logout",
    ]) {
      expect(events.has(expected), expected).toBe(true);
    }
    const loginFailed = lines.find((l) => l.event === "login_failed")!;
    expect(loginFailed).toMatchObject({
      email: expect.stringMatching(/^s\*\*\*@example\.com$/),
      emailRef: expect.any(String),
      ip: "127.0.0.1",
      requestId: expect.any(String),
    });
    expect(lines.every((l) => typeof l.time === "string" && typeof l.level === "string")).toBe(true);
  });
});
