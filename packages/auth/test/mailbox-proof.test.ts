import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import { challengeOf, dataOf, GOOD_PASSWORD, reasonOf, signedInOf, startServer, uniqueEmail, type StartOptions, type TestServer } from "./harness.js";

const NEW_PASSWORD = "a brand new passphrase";
const codeAt = (secret: string, ms: number) => generateHOTP(decodeBase32IgnorePadding(secret), BigInt(Math.floor(ms / 30_000)), 6);
const start = (options: StartOptions = {}) => startServer({ appUrl: "https://app.example.com", ...options });

/** The token of the newest mail to `to` whose link starts with `path`. */
async function linkToken(server: TestServer, to: string, path: string): Promise<string> {
  const mail = (await server.outbox()).filter((m) => m.to === to && m.text.includes(path)).at(-1);
  const match = mail && new RegExp(`${path}\\?token=([A-Za-z0-9_-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${path} mail to ${to}`);
  return match[1]!;
}

async function resetPassword(server: TestServer, email: string, password = NEW_PASSWORD): Promise<void> {
  await server.call("auth.requestPasswordReset", { email });
  expect((await server.call("auth.resetPassword", { token: await linkToken(server, email, "/reset-password"), password })).status).toBe(200);
}

/**
 * What a squatter sets up on an address they do not own: a signed-in session,
 * a device credential, an API key that reads the owner's activity, and TOTP.
 */
async function squat(server: TestServer, email: string) {
  const signup = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
  const { key } = dataOf(await server.call("apiKeys.create", { name: "spy", scopes: ["activity:read"] }, { bearer: signup.accessToken }));
  const { secret } = dataOf(await server.call("mfa.setupTotp", undefined, { bearer: signup.accessToken }));
  expect((await server.call("mfa.enableTotp", { code: codeAt(secret, server.clock.now()) }, { bearer: signup.accessToken })).status).toBe(200);
  server.clock.advance(30_000);
  const { mfaToken } = challengeOf(await server.call("auth.login", { email, password: GOOD_PASSWORD }));
  const device = dataOf(await server.call("auth.verifyMfa", { mfaToken, code: codeAt(secret, server.clock.now()) }, { mode: "token" }));
  return {
    accessToken: signup.accessToken as string,
    refreshToken: signup.refreshToken as string,
    apiKey: key as string,
    secret: secret as string,
    deviceToken: device.deviceToken as string,
  };
}

describe("proof of mailbox control on an address never verified clears what came before it", () => {
  it("a reset: the squatter's API key, TOTP, sessions and device credential end; the mail lists them", async () => {
    const server = await start();
    const email = uniqueEmail("owner");
    const squatter = await squat(server, email);
    expect((await server.call("activity.list", {}, { query: true, bearer: squatter.apiKey })).status).toBe(200);
    await resetPassword(server, email);
    expect(reasonOf(await server.call("activity.list", {}, { query: true, bearer: squatter.apiKey }))).toBe("token_invalid");
    expect(reasonOf(await server.call("auth.me", undefined, { query: true, bearer: squatter.accessToken }))).toBe("token_revoked");
    expect(reasonOf(await server.call("auth.refresh", { refreshToken: squatter.refreshToken }, { mode: "token" }))).toBe("refresh_invalid");
    for (let i = 0; i < 10; i += 1) await server.call("auth.login", { email, password: `guess ${i}` });
    expect(reasonOf(await server.call("auth.login", { email, password: NEW_PASSWORD, deviceToken: squatter.deviceToken }, { mode: "token" }))).toBe(
      "account_locked",
    );
    server.clock.advance(15 * 60_000 + 1_000);
    // No second factor stands between the owner and the account any more.
    const owner = await server.call("auth.login", { email, password: NEW_PASSWORD }, { mode: "token" });
    expect(dataOf(owner)).toMatchObject({ accessToken: expect.any(String), user: { emailVerified: true, mfaEnabled: false } });
    expect(dataOf(await server.call("apiKeys.list", undefined, { query: true, bearer: signedInOf(owner).accessToken }))).toEqual([]);
    const mail = (await server.outbox()).filter((m) => m.to === email && m.subject === "Your password was reset").at(-1)!;
    expect(mail.text).toContain("every session was signed out");
    expect(mail.text).toContain("no browser or app is remembered");
    expect(mail.text).toContain("1 API key was revoked");
    expect(mail.text).toContain("two-factor authentication was removed");
  });

  it("a confirmation link: the same, and the address is verified", async () => {
    const server = await start();
    const email = uniqueEmail("owner");
    const squatter = await squat(server, email);
    // The squatter asks for the link; the owner, who gets it, clicks it.
    await server.call("auth.requestEmailVerification", undefined, { bearer: squatter.accessToken });
    const token = await linkToken(server, email, "/verify-email");
    expect((await server.call("auth.verifyEmail", { token })).status).toBe(200);
    expect(reasonOf(await server.call("activity.list", {}, { query: true, bearer: squatter.apiKey }))).toBe("token_invalid");
    expect(reasonOf(await server.call("auth.me", undefined, { query: true, bearer: squatter.accessToken }))).toBe("token_revoked");
    const login = signedInOf(await server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    expect(login.user).toMatchObject({ emailVerified: true, mfaEnabled: false });
    const mail = (await server.outbox()).filter((m) => m.to === email && m.subject === "Your email address was confirmed").at(-1)!;
    expect(mail.text).toContain("two-factor authentication was removed");
    expect(mail.text).toContain("1 API key was revoked");
    // Confirmed now: a reset keeps a second factor set up from here on.
    const { secret } = dataOf(await server.call("mfa.setupTotp", undefined, { bearer: login.accessToken }));
    await server.call("mfa.enableTotp", { code: codeAt(secret, server.clock.now()) }, { bearer: login.accessToken });
    await resetPassword(server, email);
    expect(dataOf(await server.call("auth.login", { email, password: NEW_PASSWORD }))).toMatchObject({ mfaRequired: true });
  });

  it("an emailed sign-in code: the same, and the session it starts goes on; no TOTP step stands in the owner's way", async () => {
    const server = await start();
    const email = uniqueEmail("owner");
    const squatter = await squat(server, email);
    await server.call("auth.requestEmailCode", { email });
    const mail = (await server.outbox()).filter((m) => m.to === email && m.subject === "Your sign-in code").at(-1)!;
    const code = /\b(\d{6})\b/.exec(mail.text)![1]!;
    const owner = await server.call("auth.loginWithEmailCode", { email, code }, { mode: "token" });
    expect(dataOf(owner)).toMatchObject({ accessToken: expect.any(String), user: { emailVerified: true, mfaEnabled: false } });
    expect(reasonOf(await server.call("activity.list", {}, { query: true, bearer: squatter.apiKey }))).toBe("token_invalid");
    expect(reasonOf(await server.call("auth.me", undefined, { query: true, bearer: squatter.accessToken }))).toBe("token_revoked");
    expect(reasonOf(await server.call("auth.refresh", { refreshToken: squatter.refreshToken }, { mode: "token" }))).toBe("refresh_invalid");
    // The squatter's device credential no longer exempts them from the address's lockout.
    expect(await server.services.devices.find(squatter.deviceToken, email)).toBeUndefined();
    const { accessToken, refreshToken } = signedInOf(owner);
    expect((await server.call("auth.me", undefined, { query: true, bearer: accessToken })).status).toBe(200);
    expect((await server.call("auth.refresh", { refreshToken }, { mode: "token" })).status).toBe(200);
    expect(dataOf(await server.call("apiKeys.list", undefined, { query: true, bearer: accessToken }))).toEqual([]);
    const confirmed = (await server.outbox()).filter((m) => m.to === email && m.subject === "Your email address was confirmed").at(-1)!;
    expect(confirmed.text).toContain("1 API key was revoked");
    expect(confirmed.text).toContain("two-factor authentication was removed");
  });

  it("a confirmation link opened while signed in to the account keeps that session and ends every other", async () => {
    const server = await start();
    const email = uniqueEmail("owner");
    const here = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    const elsewhere = signedInOf(await server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    await server.call("auth.requestEmailVerification", undefined, { bearer: here.accessToken });
    const token = await linkToken(server, email, "/verify-email");
    expect((await server.call("auth.verifyEmail", { token }, { bearer: here.accessToken })).status).toBe(200);
    expect(dataOf(await server.call("auth.me", undefined, { query: true, bearer: here.accessToken })).user.emailVerified).toBe(true);
    expect((await server.call("auth.refresh", { refreshToken: here.refreshToken }, { mode: "token" })).status).toBe(200);
    expect(reasonOf(await server.call("auth.me", undefined, { query: true, bearer: elsewhere.accessToken }))).toBe("token_revoked");
    const mail = (await server.outbox()).filter((m) => m.to === email && m.subject === "Your email address was confirmed").at(-1)!;
    expect(mail.text).toContain("every other session was signed out");
  });

  it("a TOTP setup whose confirmation was under way when the reset ended the sessions is not enabled", async () => {
    const server = await start();
    const email = uniqueEmail("owner");
    const signup = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    await server.call("auth.requestEmailVerification", undefined, { bearer: signup.accessToken });
    await server.call("auth.verifyEmail", { token: await linkToken(server, email, "/verify-email") });
    const session = signedInOf(await server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    const { secret } = dataOf(await server.call("mfa.setupTotp", undefined, { bearer: session.accessToken }));
    // The confirmation passed the authorization gate with the account as it was before the reset.
    const asAuthorized = (await server.services.users.get(signup.user.id))!;
    await resetPassword(server, email);
    const meta = { ip: "127.0.0.1", userAgent: "test", requestId: "r" };
    await expect(server.services.mfa.enable(asAuthorized, codeAt(secret, server.clock.now()), meta)).rejects.toMatchObject({ reason: "token_revoked" });
    const owner = signedInOf(await server.call("auth.login", { email, password: NEW_PASSWORD }));
    expect(owner.user.mfaEnabled).toBe(false);
  });
});

describe("a reset on a verified address", () => {
  it("keeps the second factor but ends sessions, device credentials and API keys, and the mail lists what ended", async () => {
    const server = await start();
    const email = uniqueEmail("owner");
    const signup = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    await server.call("auth.requestEmailVerification", undefined, { bearer: signup.accessToken });
    await server.call("auth.verifyEmail", { token: await linkToken(server, email, "/verify-email") });
    const { accessToken } = signedInOf(await server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    const keys = await Promise.all(
      ["a", "b"].map(async (name) => dataOf(await server.call("apiKeys.create", { name, scopes: ["profile:read"] }, { bearer: accessToken })).key as string),
    );
    const { secret } = dataOf(await server.call("mfa.setupTotp", undefined, { bearer: accessToken }));
    await server.call("mfa.enableTotp", { code: codeAt(secret, server.clock.now()) }, { bearer: accessToken });
    await resetPassword(server, email);
    for (const key of keys) expect(reasonOf(await server.call("auth.me", undefined, { query: true, bearer: key }))).toBe("token_invalid");
    expect(reasonOf(await server.call("auth.me", undefined, { query: true, bearer: accessToken }))).toBe("token_revoked");
    expect(dataOf(await server.call("auth.login", { email, password: NEW_PASSWORD }))).toMatchObject({ mfaRequired: true });
    const mail = (await server.outbox()).filter((m) => m.to === email && m.subject === "Your password was reset").at(-1)!;
    expect(mail.text).toContain("2 API keys were revoked");
    expect(mail.text).not.toContain("two-factor");
  });
});

describe("AUTH_REQUIRE_VERIFIED_EMAIL=true", () => {
  it("signup mails the link, and until it is used its tokens do nothing but confirm", async () => {
    const server = await start({ requireVerifiedEmail: true });
    const email = uniqueEmail();
    const signup = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    const bearer = signup.accessToken as string;
    await linkToken(server, email, "/verify-email");
    expect(reasonOf(await server.call("apiKeys.create", { name: "k", scopes: ["profile:read"] }, { bearer }))).toBe("email_not_verified");
    expect(reasonOf(await server.call("mfa.setupTotp", undefined, { bearer }))).toBe("email_not_verified");
    expect(reasonOf(await server.call("sessions.list", undefined, { query: true, bearer }))).toBe("email_not_verified");
    expect(reasonOf(await server.call("auth.refresh", { refreshToken: signup.refreshToken }, { mode: "token" }))).toBe("email_not_verified");
    // What the app needs to say "check your mailbox": the profile, and a new link.
    expect(dataOf(await server.call("auth.me", undefined, { query: true, bearer })).user.emailVerified).toBe(false);
    expect((await server.call("auth.requestEmailVerification", undefined, { bearer })).status).toBe(200);
    await server.call("auth.verifyEmail", { token: await linkToken(server, email, "/verify-email") });
    const login = signedInOf(await server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    expect((await server.call("apiKeys.create", { name: "k", scopes: ["profile:read"] }, { bearer: login.accessToken })).status).toBe(200);
  });

  it("a signed-out user asks for a new link by email, answered the same for unknown addresses", async () => {
    const server = await start({ requireVerifiedEmail: true });
    const email = uniqueEmail();
    await server.call("auth.signup", { email, password: GOOD_PASSWORD });
    expect(reasonOf(await server.call("auth.login", { email, password: GOOD_PASSWORD }))).toBe("email_not_verified");
    const known = await server.call("auth.requestEmailVerification", { email });
    const unknownEmail = uniqueEmail("nobody");
    const unknown = await server.call("auth.requestEmailVerification", { email: unknownEmail });
    expect(known.status).toBe(200);
    expect(unknown.text).toBe(known.text);
    const outbox = await server.outbox();
    expect(outbox.filter((m) => m.to === email && m.subject === "Confirm your email address")).toHaveLength(2);
    expect(outbox.filter((m) => m.to === unknownEmail)).toHaveLength(0);
    await server.call("auth.verifyEmail", { token: await linkToken(server, email, "/verify-email") });
    expect((await server.call("auth.login", { email, password: GOOD_PASSWORD })).status).toBe(200);
  });

  it("a completed reset verifies the address", async () => {
    const server = await start({ requireVerifiedEmail: true });
    const email = uniqueEmail();
    await server.call("auth.signup", { email, password: GOOD_PASSWORD });
    await resetPassword(server, email);
    const login = await server.call("auth.login", { email, password: NEW_PASSWORD }, { mode: "token" });
    expect(login.status).toBe(200);
    expect(signedInOf(login).user.emailVerified).toBe(true);
  });
});

describe("verify.email: verification mails are limited per address", () => {
  it("the 4th request in an hour for one address is refused, signed in or out alike", async () => {
    const server = await start();
    const email = uniqueEmail();
    const { accessToken } = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    expect((await server.call("auth.requestEmailVerification", undefined, { bearer: accessToken })).status).toBe(200);
    expect((await server.call("auth.requestEmailVerification", { email })).status).toBe(200);
    expect((await server.call("auth.requestEmailVerification", undefined, { bearer: accessToken })).status).toBe(200);
    const refused = await server.call("auth.requestEmailVerification", { email: email.toUpperCase() });
    expect(reasonOf(refused)).toBe("rate_limited");
    expect(refused.headers.get("ratelimit-policy")).toBe('"verify.email";q=3;w=3600');
    expect(reasonOf(await server.call("auth.requestEmailVerification", undefined, { bearer: accessToken }))).toBe("rate_limited");
    expect((await server.outbox()).filter((m) => m.to === email)).toHaveLength(3);
  });
});

describe("code_invalid: links that are wrong, expired or used", () => {
  it("answers a reset or confirmation link that cannot be used with 401 code_invalid, not a token reason", async () => {
    const server = await start();
    for (const [procedure, input] of [
      ["auth.resetPassword", { token: "x".repeat(43), password: NEW_PASSWORD }],
      ["auth.verifyEmail", { token: "x".repeat(43) }],
    ] as const) {
      const answer = await server.call(procedure, input);
      expect(answer.status).toBe(401);
      expect(reasonOf(answer)).toBe("code_invalid");
    }
  });
});
