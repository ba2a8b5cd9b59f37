import type { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOOD_PASSWORD, uniqueEmail } from "./harness.js";
import { reasonOfError, refusalOf, startGatehouse, tokensOf, type Gatehouse } from "./support/gatehouse.js";

let gatehouse: Gatehouse;
beforeAll(async () => {
  gatehouse = await startGatehouse({ appUrl: "https://app.example.com" });
});
afterAll(() => gatehouse.close());

const NEW_PASSWORD = "a brand new passphrase";

async function account() {
  const email = uniqueEmail();
  const data = await gatehouse.api.auth.signup({ email, password: GOOD_PASSWORD });
  return { email, ...data } as { email: string; accessToken: string; refreshToken: string; user: { id: string } };
}

/** The token from the newest mail to `to` whose link starts with `path`. */
async function tokenFromMail(to: string, path: string): Promise<string> {
  const mail = (await gatehouse.outbox()).filter((m) => m.to === to && m.text.includes(path)).at(-1);
  const match = mail && new RegExp(`https://app\\.example\\.com${path}\\?token=([A-Za-z0-9_-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${path} mail to ${to}`);
  return match[1]!;
}

describe("password reset", () => {
  it("answers {ok:true} with the same body for known and unknown emails, and mails only the known one", async () => {
    const alice = await account();
    const known = await gatehouse.api.auth.requestPasswordReset({ email: alice.email });
    const unknownEmail = uniqueEmail("nobody");
    const unknown = await gatehouse.api.auth.requestPasswordReset({ email: unknownEmail });
    expect(known).toEqual({ ok: true });
    expect(unknown).toEqual(known);
    const outbox = await gatehouse.outbox();
    expect(outbox.filter((m) => m.to === alice.email && m.subject === "Reset your password")).toHaveLength(1);
    expect(outbox.filter((m) => m.to === unknownEmail)).toHaveLength(0);
    const events = gatehouse.logLines().map((l) => l.event);
    expect(events).toEqual(expect.arrayContaining(["reset_token_created", "reset_requested_unknown_email"]));
  });

  it("limits requests to 3 an hour per email, known or not", async () => {
    const limited = await startGatehouse({ limits: { "reset.email": { max: 3, windowSeconds: 3600 } } });
    for (const email of [uniqueEmail(), uniqueEmail("ghost")]) {
      for (let i = 0; i < 3; i += 1) await limited.api.auth.requestPasswordReset({ email });
      expect(await refusalOf(limited.api.auth.requestPasswordReset({ email }))).toBe("rate_limited");
    }
  });

  it("resets once: new password works, old does not, every session and token is revoked, a mail says so", async () => {
    const alice = await account();
    await gatehouse.api.auth.requestPasswordReset({ email: alice.email });
    const token = await tokenFromMail(alice.email, "/reset-password");
    expect(token.length).toBeGreaterThanOrEqual(43);
    expect(await refusalOf(gatehouse.api.auth.resetPassword({ token, password: "password" }))).toBe("weak_password");
    expect(await gatehouse.api.auth.resetPassword({ token, password: NEW_PASSWORD })).toEqual({ ok: true });
    expect(await refusalOf(gatehouse.api.auth.resetPassword({ token, password: NEW_PASSWORD }))).toBe("code_invalid");
    expect(await refusalOf(gatehouse.as(alice.accessToken).auth.me())).toBe("token_revoked");
    expect(await refusalOf(gatehouse.api.auth.refresh({ refreshToken: alice.refreshToken }))).toBe("refresh_invalid");
    expect(await refusalOf(gatehouse.api.auth.login({ email: alice.email, password: GOOD_PASSWORD }))).toBe("invalid_credentials");
    await gatehouse.api.auth.login({ email: alice.email, password: NEW_PASSWORD });
    expect((await gatehouse.outbox()).some((m) => m.to === alice.email && m.subject === "Your password was reset")).toBe(true);
    expect(gatehouse.logLines().some((l) => l.event === "password_reset" && l.userId === alice.user.id)).toBe(true);
  });

  it("lets exactly one of ten concurrent redemptions succeed", async () => {
    const alice = await account();
    await gatehouse.api.auth.requestPasswordReset({ email: alice.email });
    const token = await tokenFromMail(alice.email, "/reset-password");
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => gatehouse.api.auth.resetPassword({ token, password: `${NEW_PASSWORD} ${i}` })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refusals = results.flatMap((r) => (r.status === "rejected" ? [reasonOfError(r.reason as TRPCError)] : []));
    expect(refusals).toEqual(Array(9).fill("code_invalid"));
  });

  it("expires the token after an hour", async () => {
    const alice = await account();
    await gatehouse.api.auth.requestPasswordReset({ email: alice.email });
    const token = await tokenFromMail(alice.email, "/reset-password");
    gatehouse.clock.advance(3600_000 + 1_000);
    expect(await refusalOf(gatehouse.api.auth.resetPassword({ token, password: NEW_PASSWORD }))).toBe("code_invalid");
  });
});

describe("email verification", () => {
  it("verifies once with a mailed token and shows emailVerified", async () => {
    const alice = await account();
    expect(await gatehouse.as(alice.accessToken).auth.requestEmailVerification()).toEqual({ ok: true });
    const token = await tokenFromMail(alice.email, "/verify-email");
    await gatehouse.api.auth.verifyEmail({ token });
    expect(await refusalOf(gatehouse.api.auth.verifyEmail({ token }))).toBe("code_invalid");
    const again = tokensOf(await gatehouse.api.auth.login({ email: alice.email, password: GOOD_PASSWORD }));
    expect((await gatehouse.as(again.accessToken).auth.me()).user.emailVerified).toBe(true);
  });

  it("expires the token after 24 hours", async () => {
    const alice = await account();
    await gatehouse.as(alice.accessToken).auth.requestEmailVerification();
    const token = await tokenFromMail(alice.email, "/verify-email");
    gatehouse.clock.advance(24 * 3600_000 + 1_000);
    expect(await refusalOf(gatehouse.api.auth.verifyEmail({ token }))).toBe("code_invalid");
  });

  it("with verification required, login answers email_not_verified until the address is confirmed", async () => {
    const strict = await startGatehouse({ requireVerifiedEmail: true, appUrl: "https://app.example.com" });
    const email = uniqueEmail();
    const signup = await strict.api.auth.signup({ email, password: GOOD_PASSWORD });
    expect(await refusalOf(strict.api.auth.login({ email, password: GOOD_PASSWORD }))).toBe("email_not_verified");
    await strict.as(signup.accessToken).auth.requestEmailVerification();
    const mail = (await strict.outbox()).find((m) => m.to === email)!;
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    await strict.api.auth.verifyEmail({ token });
    await strict.api.auth.login({ email, password: GOOD_PASSWORD });
  });
});

describe("change password", () => {
  it("needs the current password, keeps this session, ends the others, mails and logs", async () => {
    const alice = await account();
    const other = tokensOf(await gatehouse.api.auth.login({ email: alice.email, password: GOOD_PASSWORD }));
    expect(await refusalOf(gatehouse.as(alice.accessToken).auth.changePassword({ currentPassword: "not it at all", newPassword: NEW_PASSWORD }))).toBe(
      "invalid_credentials",
    );
    expect(await refusalOf(gatehouse.as(alice.accessToken).auth.changePassword({ currentPassword: GOOD_PASSWORD, newPassword: "password1" }))).toBe(
      "weak_password",
    );
    await gatehouse.as(alice.accessToken).auth.changePassword({ currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD });
    await gatehouse.as(alice.accessToken).auth.me();
    await gatehouse.api.auth.refresh({ refreshToken: alice.refreshToken });
    expect(await refusalOf(gatehouse.as(other.accessToken).auth.me())).toBe("token_revoked");
    expect((await gatehouse.outbox()).some((m) => m.to === alice.email && m.subject === "Your password was changed")).toBe(true);
    expect(gatehouse.logLines().some((l) => l.event === "password_changed" && l.userId === alice.user.id)).toBe(true);
  });
});

describe("step-up re-authentication", () => {
  it("renews auth_time for the same session, so step-up procedures work again", async () => {
    const alice = await account();
    gatehouse.clock.advance(11 * 60_000);
    expect(await refusalOf(gatehouse.as(alice.accessToken).apiKeys.create({ name: "k", scopes: ["profile:read"] }))).toBe("reauth_required");
    expect(await refusalOf(gatehouse.as(alice.accessToken).auth.reauthenticate({ password: "wrong password" }))).toBe("invalid_credentials");
    const renewed = await gatehouse.as(alice.accessToken).auth.reauthenticate({ password: GOOD_PASSWORD });
    expect(renewed.refreshToken).toBeUndefined();
    const claims = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    expect(claims(renewed.accessToken).sid).toBe(claims(alice.accessToken).sid);
    expect(claims(renewed.accessToken).auth_time).toBeGreaterThan(claims(alice.accessToken).auth_time);
    await gatehouse.as(renewed.accessToken).apiKeys.create({ name: "k", scopes: ["profile:read"] });
  });
});

describe("no token in any log line", () => {
  it("keeps reset and verification tokens out of the logs", async () => {
    const alice = await account();
    await gatehouse.api.auth.requestPasswordReset({ email: alice.email });
    await gatehouse.as(alice.accessToken).auth.requestEmailVerification();
    const tokens = [await tokenFromMail(alice.email, "/reset-password"), await tokenFromMail(alice.email, "/verify-email")];
    await gatehouse.api.auth.verifyEmail({ token: tokens[1]! });
    const log = JSON.stringify(gatehouse.logLines());
    for (const token of [...tokens, alice.accessToken, alice.refreshToken, GOOD_PASSWORD]) expect(log).not.toContain(token);
  });
});

describe("credentials in flight", () => {
  it("a password reset voids the other reset links still in the mailbox", async () => {
    const alice = await account();
    await gatehouse.api.auth.requestPasswordReset({ email: alice.email });
    const first = await tokenFromMail(alice.email, "/reset-password");
    gatehouse.clock.advance(1_000);
    await gatehouse.api.auth.requestPasswordReset({ email: alice.email });
    const second = await tokenFromMail(alice.email, "/reset-password");
    expect(second).not.toBe(first);
    await gatehouse.api.auth.resetPassword({ token: second, password: NEW_PASSWORD });
    expect(await refusalOf(gatehouse.api.auth.resetPassword({ token: first, password: "an attacker's passphrase" }))).toBe("code_invalid");
  });

  it("wrong passwords at step-up and password change count toward the lockout of the device the session started on", async () => {
    const alice = await account();
    for (let i = 0; i < 5; i += 1)
      expect(await refusalOf(gatehouse.as(alice.accessToken).auth.reauthenticate({ password: `wrong ${i}` }))).toBe("invalid_credentials");
    for (let i = 0; i < 5; i += 1) {
      expect(await refusalOf(gatehouse.as(alice.accessToken).auth.changePassword({ currentPassword: `wrong ${i}`, newPassword: NEW_PASSWORD }))).toBe(
        "invalid_credentials",
      );
    }
    expect(await refusalOf(gatehouse.as(alice.accessToken).auth.reauthenticate({ password: GOOD_PASSWORD }))).toBe("account_locked");
    // Signup issued the session's device credential: that device is locked, not the owner's email elsewhere.
    await gatehouse.api.auth.login({ email: alice.email, password: GOOD_PASSWORD });
  });
});
