import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataOf, GOOD_PASSWORD, reasonOf, signedInOf, startServer, uniqueEmail, type TestServer } from "./harness.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ appUrl: "https://app.example.com" });
});
afterAll(() => server.close());

const NEW_PASSWORD = "a brand new passphrase";

async function account() {
  const email = uniqueEmail();
  const data = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
  return { email, ...data } as { email: string; accessToken: string; refreshToken: string; user: { id: string } };
}

/** The token from the newest mail to `to` whose link starts with `path`. */
async function tokenFromMail(to: string, path: string): Promise<string> {
  const mail = (await server.outbox()).filter((m) => m.to === to && m.text.includes(path)).at(-1);
  const match = mail && new RegExp(`https://app\\.example\\.com${path}\\?token=([A-Za-z0-9_-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${path} mail to ${to}`);
  return match[1]!;
}

describe("password reset", () => {
  it("answers {ok:true} with the same body for known and unknown emails, and mails only the known one", async () => {
    const alice = await account();
    const known = await server.call("auth.requestPasswordReset", { email: alice.email });
    const unknownEmail = uniqueEmail("nobody");
    const unknown = await server.call("auth.requestPasswordReset", { email: unknownEmail });
    expect(known.status).toBe(200);
    expect(dataOf(known)).toEqual({ ok: true });
    expect(unknown.text).toBe(known.text);
    const outbox = await server.outbox();
    expect(outbox.filter((m) => m.to === alice.email && m.subject === "Reset your password")).toHaveLength(1);
    expect(outbox.filter((m) => m.to === unknownEmail)).toHaveLength(0);
    const events = server.logLines().map((l) => l.event);
    expect(events).toEqual(expect.arrayContaining(["reset_token_created", "reset_requested_unknown_email"]));
  });

  it("limits requests to 3 an hour per email, known or not", async () => {
    const limited = await startServer({ limits: { "reset.email": { max: 3, windowSeconds: 3600 } } });
    for (const email of [uniqueEmail(), uniqueEmail("ghost")]) {
      for (let i = 0; i < 3; i += 1) expect((await limited.call("auth.requestPasswordReset", { email })).status).toBe(200);
      expect(reasonOf(await limited.call("auth.requestPasswordReset", { email }))).toBe("rate_limited");
    }
  });

  it("resets once: new password works, old does not, every session and token is revoked, a mail says so", async () => {
    const alice = await account();
    await server.call("auth.requestPasswordReset", { email: alice.email });
    const token = await tokenFromMail(alice.email, "/reset-password");
    expect(token.length).toBeGreaterThanOrEqual(43);
    expect(reasonOf(await server.call("auth.resetPassword", { token, password: "password" }))).toBe("weak_password");
    expect(dataOf(await server.call("auth.resetPassword", { token, password: NEW_PASSWORD }))).toEqual({ ok: true });
    expect(reasonOf(await server.call("auth.resetPassword", { token, password: NEW_PASSWORD }))).toBe("code_invalid");
    expect(reasonOf(await server.call("auth.me", undefined, { query: true, bearer: alice.accessToken }))).toBe("token_revoked");
    expect(reasonOf(await server.call("auth.refresh", { refreshToken: alice.refreshToken }, { mode: "token" }))).toBe("refresh_invalid");
    expect(reasonOf(await server.call("auth.login", { email: alice.email, password: GOOD_PASSWORD }))).toBe("invalid_credentials");
    expect((await server.call("auth.login", { email: alice.email, password: NEW_PASSWORD })).status).toBe(200);
    expect((await server.outbox()).some((m) => m.to === alice.email && m.subject === "Your password was reset")).toBe(true);
    expect(server.logLines().some((l) => l.event === "password_reset" && l.userId === alice.user.id)).toBe(true);
  });

  it("lets exactly one of ten concurrent redemptions succeed", async () => {
    const alice = await account();
    await server.call("auth.requestPasswordReset", { email: alice.email });
    const token = await tokenFromMail(alice.email, "/reset-password");
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => server.call("auth.resetPassword", { token, password: `${NEW_PASSWORD} ${i}` })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => reasonOf(r) === "code_invalid")).toHaveLength(9);
  });

  it("expires the token after an hour", async () => {
    const alice = await account();
    await server.call("auth.requestPasswordReset", { email: alice.email });
    const token = await tokenFromMail(alice.email, "/reset-password");
    server.clock.advance(3600_000 + 1_000);
    expect(reasonOf(await server.call("auth.resetPassword", { token, password: NEW_PASSWORD }))).toBe("code_invalid");
  });
});

describe("email verification", () => {
  it("verifies once with a mailed token and shows emailVerified", async () => {
    const alice = await account();
    expect(dataOf(await server.call("auth.requestEmailVerification", undefined, { bearer: alice.accessToken }))).toEqual({ ok: true });
    const token = await tokenFromMail(alice.email, "/verify-email");
    expect((await server.call("auth.verifyEmail", { token })).status).toBe(200);
    expect(reasonOf(await server.call("auth.verifyEmail", { token }))).toBe("code_invalid");
    const again = signedInOf(await server.call("auth.login", { email: alice.email, password: GOOD_PASSWORD }, { mode: "token" }));
    expect(dataOf(await server.call("auth.me", undefined, { query: true, bearer: again.accessToken })).user.emailVerified).toBe(true);
  });

  it("expires the token after 24 hours", async () => {
    const alice = await account();
    await server.call("auth.requestEmailVerification", undefined, { bearer: alice.accessToken });
    const token = await tokenFromMail(alice.email, "/verify-email");
    server.clock.advance(24 * 3600_000 + 1_000);
    expect(reasonOf(await server.call("auth.verifyEmail", { token }))).toBe("code_invalid");
  });

  it("with verification required, login answers email_not_verified until the address is confirmed", async () => {
    const strict = await startServer({ requireVerifiedEmail: true, appUrl: "https://app.example.com" });
    const email = uniqueEmail();
    const signup = dataOf(await strict.call("auth.signup", { email, password: GOOD_PASSWORD }));
    const refused = await strict.call("auth.login", { email, password: GOOD_PASSWORD });
    expect(refused.status).toBe(403);
    expect(reasonOf(refused)).toBe("email_not_verified");
    await strict.call("auth.requestEmailVerification", undefined, { bearer: signup.accessToken });
    const mail = (await strict.outbox()).find((m) => m.to === email)!;
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    await strict.call("auth.verifyEmail", { token });
    expect((await strict.call("auth.login", { email, password: GOOD_PASSWORD })).status).toBe(200);
  });
});

describe("change password", () => {
  it("needs the current password, keeps this session, ends the others, mails and logs", async () => {
    const alice = await account();
    const other = signedInOf(await server.call("auth.login", { email: alice.email, password: GOOD_PASSWORD }, { mode: "token" }));
    expect(reasonOf(await server.call("auth.changePassword", { currentPassword: "not it at all", newPassword: NEW_PASSWORD }, { bearer: alice.accessToken }))).toBe("invalid_credentials");
    expect(reasonOf(await server.call("auth.changePassword", { currentPassword: GOOD_PASSWORD, newPassword: "password1" }, { bearer: alice.accessToken }))).toBe("weak_password");
    expect((await server.call("auth.changePassword", { currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD }, { bearer: alice.accessToken })).status).toBe(200);
    expect((await server.call("auth.me", undefined, { query: true, bearer: alice.accessToken })).status).toBe(200);
    expect((await server.call("auth.refresh", { refreshToken: alice.refreshToken }, { mode: "token" })).status).toBe(200);
    expect(reasonOf(await server.call("auth.me", undefined, { query: true, bearer: other.accessToken }))).toBe("token_revoked");
    expect((await server.outbox()).some((m) => m.to === alice.email && m.subject === "Your password was changed")).toBe(true);
    expect(server.logLines().some((l) => l.event === "password_changed" && l.userId === alice.user.id)).toBe(true);
  });
});

describe("step-up re-authentication", () => {
  it("renews auth_time for the same session, so step-up procedures work again", async () => {
    const alice = await account();
    server.clock.advance(11 * 60_000);
    expect(reasonOf(await server.call("apiKeys.create", { name: "k", scopes: ["profile:read"] }, { bearer: alice.accessToken }))).toBe("reauth_required");
    expect(reasonOf(await server.call("auth.reauthenticate", { password: "wrong password" }, { bearer: alice.accessToken }))).toBe("invalid_credentials");
    const renewed = dataOf(await server.call("auth.reauthenticate", { password: GOOD_PASSWORD }, { bearer: alice.accessToken, mode: "token" }));
    expect(renewed.refreshToken).toBeUndefined();
    const claims = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    expect(claims(renewed.accessToken).sid).toBe(claims(alice.accessToken).sid);
    expect(claims(renewed.accessToken).auth_time).toBeGreaterThan(claims(alice.accessToken).auth_time);
    expect((await server.call("apiKeys.create", { name: "k", scopes: ["profile:read"] }, { bearer: renewed.accessToken })).status).toBe(200);
  });
});

describe("no token in any log line", () => {
  it("keeps reset and verification tokens out of the logs", async () => {
    const alice = await account();
    await server.call("auth.requestPasswordReset", { email: alice.email });
    await server.call("auth.requestEmailVerification", undefined, { bearer: alice.accessToken });
    const tokens = [await tokenFromMail(alice.email, "/reset-password"), await tokenFromMail(alice.email, "/verify-email")];
    await server.call("auth.verifyEmail", { token: tokens[1]! });
    const log = JSON.stringify(server.logLines());
    for (const token of [...tokens, alice.accessToken, alice.refreshToken, GOOD_PASSWORD]) expect(log).not.toContain(token);
  });
});

describe("credentials in flight", () => {
  it("a password reset voids the other reset links still in the mailbox", async () => {
    const alice = await account();
    await server.call("auth.requestPasswordReset", { email: alice.email });
    const first = await tokenFromMail(alice.email, "/reset-password");
    server.clock.advance(1_000);
    await server.call("auth.requestPasswordReset", { email: alice.email });
    const second = await tokenFromMail(alice.email, "/reset-password");
    expect(second).not.toBe(first);
    expect((await server.call("auth.resetPassword", { token: second, password: NEW_PASSWORD })).status).toBe(200);
    expect(reasonOf(await server.call("auth.resetPassword", { token: first, password: "an attacker's passphrase" }))).toBe("code_invalid");
  });

  it("wrong passwords at step-up and password change count toward the lockout of the device the session started on", async () => {
    const alice = await account();
    for (let i = 0; i < 5; i += 1) expect(reasonOf(await server.call("auth.reauthenticate", { password: `wrong ${i}` }, { bearer: alice.accessToken }))).toBe("invalid_credentials");
    for (let i = 0; i < 5; i += 1) {
      expect(reasonOf(await server.call("auth.changePassword", { currentPassword: `wrong ${i}`, newPassword: NEW_PASSWORD }, { bearer: alice.accessToken }))).toBe("invalid_credentials");
    }
    expect(reasonOf(await server.call("auth.reauthenticate", { password: GOOD_PASSWORD }, { bearer: alice.accessToken }))).toBe("account_locked");
    // Signup issued the session's device credential: that device is locked, not the owner's email elsewhere.
    expect((await server.call("auth.login", { email: alice.email, password: GOOD_PASSWORD })).status).toBe(200);
  });
});
