import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../src/index.js";
import {
  dataOf,
  GOOD_PASSWORD,
  reasonOf,
  signedInOf,
  signUpAccount,
  startServer,
  wireErrorOf,
  type InputOf,
  type ProcedurePath,
  type TestServer,
  type WireAccount,
} from "./harness.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const account = (role: "user" | "admin" = "user") => signUpAccount(server, role);

const query = <P extends ProcedurePath>(procedure: P, bearer: string, input?: InputOf<P>) => server.call(procedure, input, { query: true, bearer });
const mutate = <P extends ProcedurePath>(procedure: P, bearer: string, input?: InputOf<P>) => server.call(procedure, input, { bearer });

async function apiKey(owner: WireAccount, scopes: InputOf<"apiKeys.create">["scopes"], extra: { expiresInDays?: number } = {}) {
  const res = await mutate("apiKeys.create", owner.accessToken, { name: "ci", scopes, ...extra });
  expect(res.status).toBe(200);
  return dataOf(res) as { id: string; key: string; prefix: string; scopes: string[]; expiresAt: string | null };
}

describe("declared access (default deny)", () => {
  // CONTRACT §4, for every procedure the router serves.
  const CONTRACT: Record<string, { access: string; apiKeyScope?: string; stepUp?: boolean }> = {
    "auth.signup": { access: "public" },
    "auth.login": { access: "public" },
    "auth.refresh": { access: "refresh_token" },
    "auth.logout": { access: "session" },
    "auth.logoutAll": { access: "user" },
    "auth.me": { access: "user", apiKeyScope: "profile:read" },
    "auth.verifyMfa": { access: "public" },
    "auth.reauthenticate": { access: "user" },
    "auth.changePassword": { access: "user" },
    "auth.requestPasswordReset": { access: "public" },
    "auth.resetPassword": { access: "public" },
    // Signed in, or signed out with {email} (a login answered email_not_verified): see the README.
    "auth.requestEmailVerification": { access: "public" },
    "auth.verifyEmail": { access: "public" },
    "mfa.setupTotp": { access: "user", stepUp: true },
    "mfa.enableTotp": { access: "user" },
    "mfa.disableTotp": { access: "user", stepUp: true },
    "sessions.list": { access: "user" },
    "sessions.revoke": { access: "user" },
    "apiKeys.create": { access: "user", stepUp: true },
    "apiKeys.list": { access: "user" },
    "apiKeys.revoke": { access: "user" },
    "users.get": { access: "user", apiKeyScope: "users:read" },
    "users.update": { access: "user" },
    "admin.listUsers": { access: "admin" },
    "admin.setRole": { access: "admin", stepUp: true },
    "admin.lockUser": { access: "admin" },
    "admin.unlockUser": { access: "admin" },
    "admin.auditLog": { access: "admin" },
    "admin.verifyAuditLog": { access: "admin" },
    "activity.list": { access: "user", apiKeyScope: "activity:read" },
    "auth.introspect": { access: "api_key", apiKeyScope: "tokens:introspect" },
    "auth.requestEmailCode": { access: "public" },
    "auth.loginWithEmailCode": { access: "public" },
    "auth.passkeyOptions": { access: "public" },
    "auth.loginWithPasskey": { access: "public" },
    "passkeys.registrationOptions": { access: "user", stepUp: true },
    "passkeys.register": { access: "user", stepUp: true },
    "passkeys.list": { access: "user" },
    // Ours beside the contract's table: renaming changes nothing about how one signs in, so no step-up.
    "passkeys.rename": { access: "user" },
    "passkeys.remove": { access: "user", stepUp: true },
    "auth.oauthProviders": { access: "public" },
    "auth.oauthStart": { access: "public" },
    "auth.oauthFinish": { access: "public" },
    "accounts.list": { access: "user" },
    "accounts.linkStart": { access: "user", stepUp: true },
    "accounts.unlink": { access: "user", stepUp: true },
  };

  it("every procedure declares its access, and it matches the contract", () => {
    const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Record<string, unknown> } }>;
    expect(Object.keys(procedures).length).toBeGreaterThan(0);
    for (const [path, procedure] of Object.entries(procedures)) {
      const meta = procedure._def.meta;
      expect(meta?.access, `${path} declares no access`).toEqual(expect.any(String));
      expect(CONTRACT[path], `${path} is not in the contract table`).toBeDefined();
      const { limits: _limits, hashes: _hashes, unparsedOutput: _output, unverifiedEmail: _unverifiedEmail, ...declared } = meta!;
      expect({ stepUp: false, ...declared }, path).toEqual({ stepUp: false, ...CONTRACT[path] });
    }
  });
});

describe("users", () => {
  it("users.get: the owner and admins see a user; anyone else gets not_found with no data (BOLA)", async () => {
    const [alice, bob, admin] = await Promise.all([account(), account(), account("admin")]);
    expect(dataOf(await query("users.get", alice.accessToken, { id: alice.id })).user.email).toBe(alice.email);
    expect(dataOf(await query("users.get", admin.accessToken, { id: alice.id })).user.id).toBe(alice.id);
    const peek = await query("users.get", bob.accessToken, { id: alice.id });
    expect(peek.status).toBe(404);
    expect(reasonOf(peek)).toBe("not_found");
    expect(peek.text).not.toContain(alice.email);
  });

  it("users.update changes the name only; any other field rejects the whole request (mass assignment)", async () => {
    const alice = await account();
    const renamed = await mutate("users.update", alice.accessToken, { name: "Alice" });
    expect(dataOf(renamed).user).toMatchObject({ name: "Alice", role: "user" });
    for (const extra of [{ role: "admin" }, { emailVerified: true }, { id: "someone-else" }]) {
      const res = await server.send("users.update", { name: "Mallory", ...extra }, { bearer: alice.accessToken });
      expect(reasonOf(res), JSON.stringify(extra)).toBe("validation_failed");
    }
    const me = await query("auth.me", alice.accessToken);
    expect(dataOf(me).user).toMatchObject({ name: "Alice", role: "user", emailVerified: false });
  });
});

describe("sessions", () => {
  it("lists one entry per login with the current one marked; revoking kills its tokens at once", async () => {
    const alice = await account();
    const second = signedInOf(
      await server.call("auth.login", { email: alice.email, password: GOOD_PASSWORD }, { mode: "token", headers: { "User-Agent": "phone/1.0" } }),
    );
    const list = dataOf(await query("sessions.list", alice.accessToken));
    expect(list).toHaveLength(2);
    expect(Object.keys(list[0]!).sort()).toEqual(["createdAt", "current", "id", "ip", "lastUsedAt", "userAgent"]);
    expect(list.filter((s) => s.current)).toHaveLength(1);
    const phone = list.find((s) => s.userAgent === "phone/1.0")!;
    expect(phone.current).toBe(false);
    expect(dataOf(await mutate("sessions.revoke", alice.accessToken, { id: phone.id }))).toEqual({ ok: true });
    expect(reasonOf(await query("auth.me", second.accessToken))).toBe("token_revoked");
    expect(reasonOf(await server.call("auth.refresh", { refreshToken: second.refreshToken }, { mode: "token" }))).toBe("refresh_invalid");
    expect(dataOf(await query("sessions.list", alice.accessToken))).toHaveLength(1);
  });

  it("another user's session is not_found, and stays alive (BOLA)", async () => {
    const [alice, bob] = await Promise.all([account(), account()]);
    const [aliceSession] = dataOf(await query("sessions.list", alice.accessToken));
    expect(reasonOf(await mutate("sessions.revoke", bob.accessToken, { id: aliceSession!.id }))).toBe("not_found");
    expect((await query("auth.me", alice.accessToken)).status).toBe(200);
  });
});

describe("API keys", () => {
  it("are gth_ + 256 bits + checksum, shown once, listed by prefix, and only their hash is stored", async () => {
    const alice = await account();
    const created = await apiKey(alice, ["profile:read"], { expiresInDays: 30 });
    expect(created.key).toMatch(/^gth_[0-9A-Za-z]{49}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const list = dataOf(await query("apiKeys.list", alice.accessToken));
    expect(list).toEqual([
      {
        id: created.id,
        name: "ci",
        prefix: created.prefix,
        scopes: ["profile:read"],
        createdAt: expect.any(String),
        lastUsedAt: null,
        expiresAt: created.expiresAt,
      },
    ]);
    expect(JSON.stringify(list)).not.toContain(created.key);
    const record = await server.store.get<Record<string, unknown>>(`apikey:${created.id}`);
    expect(JSON.stringify(record)).not.toContain(created.key.slice(4));
  });

  it("authenticate only procedures that name their scope", async () => {
    const alice = await account();
    const profile = await apiKey(alice, ["profile:read"]);
    expect(dataOf(await query("auth.me", profile.key)).user.id).toBe(alice.id);
    expect(reasonOf(await query("users.get", profile.key, { id: alice.id }))).toBe("forbidden");
    expect(reasonOf(await query("sessions.list", profile.key))).toBe("forbidden");
    const reader = await apiKey(alice, ["users:read"]);
    expect((await query("users.get", reader.key, { id: alice.id })).status).toBe(200);
    expect(server.logLines().some((l) => l.event === "permission_denied" && l.procedure === "users.get")).toBe(true);
  });

  it("can never create keys or change credentials (escalation)", async () => {
    const alice = await account();
    const key = await apiKey(alice, ["profile:read", "users:read", "activity:read"]);
    expect(reasonOf(await mutate("apiKeys.create", key.key, { name: "x", scopes: ["profile:read"] }))).toBe("forbidden");
    expect(reasonOf(await mutate("auth.logoutAll", key.key))).toBe("forbidden");
    expect(reasonOf(await mutate("users.update", key.key, { name: "x" }))).toBe("forbidden");
  });

  it("refuses malformed, unknown, revoked and expired keys", async () => {
    const alice = await account();
    const key = await apiKey(alice, ["profile:read"], { expiresInDays: 1 });
    const tampered = key.key.slice(0, -1) + (key.key.endsWith("a") ? "b" : "a");
    expect(reasonOf(await query("auth.me", tampered))).toBe("token_invalid");
    expect(reasonOf(await query("auth.me", `gth_${"0".repeat(49)}`))).toBe("token_invalid");
    server.clock.advance(24 * 3600 * 1000 + 1_000);
    expect(reasonOf(await query("auth.me", key.key))).toBe("token_invalid");
    const fresh = await account();
    const revocable = await apiKey(fresh, ["profile:read"]);
    expect(dataOf(await mutate("apiKeys.revoke", fresh.accessToken, { id: revocable.id }))).toEqual({ ok: true });
    expect(reasonOf(await query("auth.me", revocable.key))).toBe("token_invalid");
  });

  it("another user's key cannot be revoked (BOLA)", async () => {
    const [alice, bob] = await Promise.all([account(), account()]);
    const key = await apiKey(alice, ["profile:read"]);
    expect(reasonOf(await mutate("apiKeys.revoke", bob.accessToken, { id: key.id }))).toBe("not_found");
    expect((await query("auth.me", key.key)).status).toBe(200);
  });

  it("records lastUsedAt at most once a minute", async () => {
    const alice = await account();
    const key = await apiKey(alice, ["profile:read"]);
    await query("auth.me", key.key);
    const firstUse = dataOf(await query("apiKeys.list", alice.accessToken))[0]!.lastUsedAt;
    expect(firstUse).toEqual(expect.any(String));
    server.clock.advance(30_000);
    await query("auth.me", key.key);
    expect(dataOf(await query("apiKeys.list", alice.accessToken))[0]!.lastUsedAt).toBe(firstUse);
    server.clock.advance(31_000);
    await query("auth.me", key.key);
    expect(dataOf(await query("apiKeys.list", alice.accessToken))[0]!.lastUsedAt).not.toBe(firstUse);
  });
});

describe("step-up", () => {
  it("apiKeys.create needs a password entered within 10 minutes", async () => {
    const alice = await account();
    server.clock.advance(10 * 60_000 + 1_000);
    const stale = await mutate("apiKeys.create", alice.accessToken, { name: "late", scopes: ["profile:read"] });
    expect(stale.status).toBe(403);
    expect(reasonOf(stale)).toBe("reauth_required");
    const fresh = signedInOf(await server.call("auth.login", { email: alice.email, password: GOOD_PASSWORD }, { mode: "token" }));
    expect((await mutate("apiKeys.create", fresh.accessToken, { name: "now", scopes: ["profile:read"] })).status).toBe(200);
  });

  it("refreshing keeps the original authentication time", async () => {
    const alice = await account();
    server.clock.advance(9 * 60_000);
    const refreshed = dataOf(await server.call("auth.refresh", { refreshToken: alice.refreshToken }, { mode: "token" }));
    server.clock.advance(2 * 60_000);
    expect(reasonOf(await mutate("apiKeys.create", refreshed.accessToken, { name: "x", scopes: ["profile:read"] }))).toBe("reauth_required");
  });
});

describe("admin", () => {
  it("refuses users on every admin procedure (escalation)", async () => {
    const [alice, bob] = await Promise.all([account(), account()]);
    expect(reasonOf(await query("admin.listUsers", alice.accessToken, {}))).toBe("forbidden");
    expect(reasonOf(await mutate("admin.setRole", alice.accessToken, { userId: alice.id, role: "admin" }))).toBe("forbidden");
    expect(reasonOf(await mutate("admin.lockUser", alice.accessToken, { userId: bob.id, reason: "x" }))).toBe("forbidden");
    expect(reasonOf(await mutate("admin.unlockUser", alice.accessToken, { userId: bob.id }))).toBe("forbidden");
    expect(server.logLines().some((l) => l.event === "permission_denied" && l.userId === alice.id && l.required === "admin")).toBe(true);
  });

  it("lists users a page at a time by cursor, at most 100 a page", async () => {
    const admin = await account("admin");
    const first = dataOf(await query("admin.listUsers", admin.accessToken, { limit: 2 }));
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(Object.keys(first.items[0]!).sort()).toEqual(["createdAt", "email", "emailVerified", "id", "mfaEnabled", "name", "role"]);
    const second = dataOf(await query("admin.listUsers", admin.accessToken, { cursor: first.nextCursor!, limit: 2 }));
    expect(second.items[0]!.id).not.toBe(first.items[0]!.id);
    expect(reasonOf(await query("admin.listUsers", admin.accessToken, { limit: 101 }))).toBe("validation_failed");
  });

  it("setRole needs step-up and applies on the target's very next request (demoted admin's live token)", async () => {
    const [admin, other] = await Promise.all([account("admin"), account("admin")]);
    expect((await query("admin.listUsers", other.accessToken, {})).status).toBe(200);
    const demoted = await mutate("admin.setRole", admin.accessToken, { userId: other.id, role: "user" });
    expect(dataOf(demoted).user.role).toBe("user");
    expect(reasonOf(await query("admin.listUsers", other.accessToken, {}))).toBe("forbidden");
    expect(server.logLines().some((l) => l.event === "role_changed" && l.userId === other.id && l.to === "user")).toBe(true);
    server.clock.advance(11 * 60_000);
    expect(reasonOf(await mutate("admin.setRole", admin.accessToken, { userId: other.id, role: "admin" }))).toBe("reauth_required");
  });

  it("lockUser kills sessions, refresh and access tokens at once, suspends API keys and refuses login; unlock restores login only", async () => {
    const [admin, victim] = await Promise.all([account("admin"), account()]);
    const key = await apiKey(victim, ["profile:read"]);
    expect(dataOf(await mutate("admin.lockUser", admin.accessToken, { userId: victim.id, reason: "account takeover" }))).toEqual({ ok: true });
    expect(reasonOf(await query("auth.me", victim.accessToken))).toBe("token_revoked");
    expect(reasonOf(await server.call("auth.refresh", { refreshToken: victim.refreshToken }, { mode: "token" }))).toBe("refresh_invalid");
    const keyWhileLocked = await query("auth.me", key.key);
    expect(keyWhileLocked.status).toBe(403);
    expect(wireErrorOf(keyWhileLocked).message).toContain("suspended");
    const login = await server.call("auth.login", { email: victim.email, password: GOOD_PASSWORD });
    expect(login.status).toBe(403);
    expect(reasonOf(login)).toBe("account_disabled");
    expect(server.logLines().find((l) => l.event === "account_locked_by_admin" && l.userId === victim.id)).toMatchObject({
      reason: "account takeover",
      actorId: admin.id,
    });
    const mails = (await server.outbox()).filter((m) => m.to === victim.email);
    expect(mails).toEqual([
      expect.objectContaining({ subject: "Your account has been locked", text: expect.stringContaining("signed out"), html: expect.stringContaining("<p>") }),
    ]);

    await mutate("admin.unlockUser", admin.accessToken, { userId: victim.id });
    const back = await server.call("auth.login", { email: victim.email, password: GOOD_PASSWORD }, { mode: "token" });
    expect(back.status).toBe(200);
    expect(reasonOf(await query("auth.me", key.key))).toBe("forbidden");
    expect((await query("auth.me", signedInOf(back).accessToken)).status).toBe(200);
  });

  it("an admin cannot lock or demote themselves, and an unknown user is not_found", async () => {
    const admin = await account("admin");
    expect(reasonOf(await mutate("admin.lockUser", admin.accessToken, { userId: admin.id, reason: "oops" }))).toBe("forbidden");
    expect(reasonOf(await mutate("admin.setRole", admin.accessToken, { userId: admin.id, role: "user" }))).toBe("forbidden");
    expect(reasonOf(await mutate("admin.lockUser", admin.accessToken, { userId: "nobody", reason: "x" }))).toBe("not_found");
  });
});
