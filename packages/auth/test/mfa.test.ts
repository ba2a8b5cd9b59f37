import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { challengeOf, dataOf, GOOD_PASSWORD, reasonOf, signedInOf, startServer, uniqueEmail, wireErrorOf, type TestServer } from "./harness.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const codeAt = (secret: string, ms: number, stepOffset = 0) => generateHOTP(decodeBase32IgnorePadding(secret), BigInt(Math.floor(ms / 30_000) + stepOffset), 6);

/** Signs up, enables TOTP, and moves the clock past the step used to enable it. */
async function mfaAccount() {
  const email = uniqueEmail("mfa");
  const { accessToken } = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
  const setup = dataOf(await server.call("mfa.setupTotp", undefined, { bearer: accessToken }));
  const enable = await server.call("mfa.enableTotp", { code: codeAt(setup.secret, server.clock.now()) }, { bearer: accessToken });
  server.clock.advance(30_000);
  return { email, accessToken, secret: setup.secret as string, otpauthUrl: setup.otpauthUrl as string, recoveryCodes: dataOf(enable).recoveryCodes as string[] };
}

const login = (email: string) => server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" });

describe("two-factor (TOTP)", () => {
  it("setup returns an otpauth URL; enable needs a valid code and returns 10 single-use recovery codes", async () => {
    const email = uniqueEmail("mfa");
    const { accessToken } = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    const setup = dataOf(await server.call("mfa.setupTotp", undefined, { bearer: accessToken }));
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Gatehouse:.+\?.*secret=[A-Z2-7]{32}/);
    expect(reasonOf(await server.call("mfa.enableTotp", { code: "000000" }, { bearer: accessToken }))).toBe("mfa_invalid");
    const enable = await server.call("mfa.enableTotp", { code: codeAt(setup.secret, server.clock.now()) }, { bearer: accessToken });
    const codes = dataOf(enable).recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect(dataOf(await server.call("auth.me", undefined, { query: true, bearer: accessToken })).user.mfaEnabled).toBe(true);
    // The secret is stored sealed, never in clear, and is never returned again.
    const stored = JSON.stringify(await server.services.users.findByEmail(email));
    expect(stored).not.toContain(setup.secret);
    for (const code of codes) expect(stored).not.toContain(code);
    expect(server.logLines().some((l) => l.event === "mfa_enabled")).toBe(true);
  });

  it("login of an MFA user returns only {mfaRequired, mfaToken}; verifyMfa with the code returns tokens", async () => {
    const account = await mfaAccount();
    const first = await login(account.email);
    expect(Object.keys(dataOf(first)).sort()).toEqual(["mfaRequired", "mfaToken"]);
    const { mfaToken } = challengeOf(first);
    expect(reasonOf(await server.call("auth.verifyMfa", { mfaToken, code: "123456" }))).toBe("mfa_invalid");
    const verified = await server.call("auth.verifyMfa", { mfaToken, code: codeAt(account.secret, server.clock.now()) }, { mode: "token" });
    expect(verified.status).toBe(200);
    expect(dataOf(verified).accessToken).toEqual(expect.any(String));
    // The mfaToken is single use.
    server.clock.advance(30_000);
    expect(reasonOf(await server.call("auth.verifyMfa", { mfaToken, code: codeAt(account.secret, server.clock.now()) }))).toBe("mfa_invalid");
  });

  it("refuses a code already used in its window (replay), and accepts ±1 step of drift", async () => {
    const account = await mfaAccount();
    const code = codeAt(account.secret, server.clock.now());
    const a = challengeOf(await login(account.email)).mfaToken;
    expect((await server.call("auth.verifyMfa", { mfaToken: a, code })).status).toBe(200);
    const b = challengeOf(await login(account.email)).mfaToken;
    expect(reasonOf(await server.call("auth.verifyMfa", { mfaToken: b!, code: code! }))).toBe("mfa_invalid");
    expect((await server.call("auth.verifyMfa", { mfaToken: b, code: codeAt(account.secret, server.clock.now(), 1) })).status).toBe(200);
  });

  it("says a code was already used when the code that turned two-factor on comes again (still mfa_invalid)", async () => {
    const email = uniqueEmail("mfa");
    const { accessToken } = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    const { secret } = dataOf(await server.call("mfa.setupTotp", undefined, { bearer: accessToken }));
    const code = codeAt(secret, server.clock.now());
    expect((await server.call("mfa.enableTotp", { code }, { bearer: accessToken })).status).toBe(200);

    const { mfaToken } = challengeOf(await login(email));
    const reused = await server.call("auth.verifyMfa", { mfaToken, code });
    expect(reasonOf(reused)).toBe("mfa_invalid");
    expect(wireErrorOf(reused).message).toMatch(/already used/i);
    // Step-up and turning it off say the same; a wrong code keeps the plain message.
    const stepUp = await server.call("auth.reauthenticate", { password: GOOD_PASSWORD, code }, { bearer: accessToken });
    expect(wireErrorOf(stepUp).message).toMatch(/already used/i);
    const disable = await server.call("mfa.disableTotp", { code }, { bearer: accessToken });
    expect(reasonOf(disable)).toBe("mfa_invalid");
    expect(wireErrorOf(disable).message).toMatch(/already used/i);
    const wrong = await server.call("auth.verifyMfa", { mfaToken, code: code === "000000" ? "000001" : "000000" });
    expect(wireErrorOf(wrong).message).not.toMatch(/already used/i);
    // The challenge survives the refusals: the next code signs in.
    expect((await server.call("auth.verifyMfa", { mfaToken, code: codeAt(secret, server.clock.now(), 1) })).status).toBe(200);
  });

  it("mfaToken lives 5 minutes", async () => {
    const account = await mfaAccount();
    const { mfaToken } = challengeOf(await login(account.email));
    server.clock.advance(5 * 60_000 + 1_000);
    expect(reasonOf(await server.call("auth.verifyMfa", { mfaToken, code: codeAt(account.secret, server.clock.now()) }))).toBe("mfa_invalid");
  });

  it("limits guesses to 5 per mfaToken and per user", async () => {
    const account = await mfaAccount();
    const { mfaToken } = challengeOf(await login(account.email));
    for (let i = 0; i < 5; i += 1) expect(reasonOf(await server.call("auth.verifyMfa", { mfaToken, code: "000000" }))).toBe("mfa_invalid");
    const limited = await server.call("auth.verifyMfa", { mfaToken, code: codeAt(account.secret, server.clock.now()) });
    expect(reasonOf(limited)).toBe("rate_limited");
    // A new mfaToken does not reset the per-user count.
    const second = challengeOf(await login(account.email)).mfaToken;
    expect(reasonOf(await server.call("auth.verifyMfa", { mfaToken: second, code: codeAt(account.secret, server.clock.now()) }))).toBe("rate_limited");
  });

  it("accepts each recovery code once", async () => {
    const account = await mfaAccount();
    const [code] = account.recoveryCodes;
    const a = challengeOf(await login(account.email)).mfaToken;
    expect((await server.call("auth.verifyMfa", { mfaToken: a, code: code!.toUpperCase() })).status).toBe(200);
    const b = challengeOf(await login(account.email)).mfaToken;
    expect(reasonOf(await server.call("auth.verifyMfa", { mfaToken: b!, code: code! }))).toBe("mfa_invalid");
  });

  it("reauthenticate needs the code too when MFA is on", async () => {
    const account = await mfaAccount();
    expect(reasonOf(await server.call("auth.reauthenticate", { password: GOOD_PASSWORD }, { bearer: account.accessToken }))).toBe("mfa_invalid");
    const ok = await server.call("auth.reauthenticate", { password: GOOD_PASSWORD, code: codeAt(account.secret, server.clock.now()) }, { bearer: account.accessToken });
    expect(ok.status).toBe(200);
  });

  it("disable needs step-up and a valid code", async () => {
    const account = await mfaAccount();
    expect(reasonOf(await server.call("mfa.disableTotp", { code: "000000" }, { bearer: account.accessToken }))).toBe("mfa_invalid");
    server.clock.advance(10 * 60_000);
    expect(reasonOf(await server.call("mfa.disableTotp", { code: codeAt(account.secret, server.clock.now()) }, { bearer: account.accessToken }))).toBe("reauth_required");
    const renewed = dataOf(await server.call("auth.reauthenticate", { password: GOOD_PASSWORD, code: codeAt(account.secret, server.clock.now()) }, { bearer: account.accessToken }));
    server.clock.advance(30_000);
    expect((await server.call("mfa.disableTotp", { code: codeAt(account.secret, server.clock.now()) }, { bearer: renewed.accessToken })).status).toBe(200);
    expect(signedInOf(await login(account.email)).accessToken).toEqual(expect.any(String));
    expect(server.logLines().some((l) => l.event === "mfa_disabled")).toBe(true);
  });

  it("no TOTP secret, code, recovery code or mfaToken reaches a log line", async () => {
    const account = await mfaAccount();
    const { mfaToken } = challengeOf(await login(account.email));
    const code = codeAt(account.secret, server.clock.now());
    await server.call("auth.verifyMfa", { mfaToken, code });
    const log = JSON.stringify(server.logLines());
    for (const secret of [account.secret, mfaToken, code, ...account.recoveryCodes]) expect(log).not.toContain(secret);
  });
});

describe("MFA challenges in flight", () => {
  it("a password reset voids a pending mfaToken", async () => {
    const account = await mfaAccount();
    const { mfaToken } = challengeOf(await login(account.email));
    await server.call("auth.requestPasswordReset", { email: account.email });
    const mail = (await server.outbox()).filter((m) => m.to === account.email && m.subject === "Reset your password").at(-1)!;
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    expect((await server.call("auth.resetPassword", { token, password: "a brand new passphrase" })).status).toBe(200);
    expect(reasonOf(await server.call("auth.verifyMfa", { mfaToken, code: codeAt(account.secret, server.clock.now()) }))).toBe("mfa_invalid");
  });

  it("a recovery code typed without its hyphen or in capitals still works", async () => {
    const account = await mfaAccount();
    const { mfaToken } = challengeOf(await login(account.email));
    expect((await server.call("auth.verifyMfa", { mfaToken, code: account.recoveryCodes[1]!.replace("-", "").toUpperCase() })).status).toBe(200);
  });
});
