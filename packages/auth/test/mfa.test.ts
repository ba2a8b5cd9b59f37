import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOOD_PASSWORD, uniqueEmail } from "./harness.js";
import { challengeIn, errorOf, reasonOfError, refusalOf, startGatehouse, tokensOf, type Gatehouse } from "./support/gatehouse.js";

let gatehouse: Gatehouse;
beforeAll(async () => {
  gatehouse = await startGatehouse();
});
afterAll(() => gatehouse.close());

const codeAt = (secret: string, ms: number, stepOffset = 0) => generateHOTP(decodeBase32IgnorePadding(secret), BigInt(Math.floor(ms / 30_000) + stepOffset), 6);

/** Signs up, enables TOTP, and moves the clock past the step used to enable it. */
async function mfaAccount() {
  const email = uniqueEmail("mfa");
  const { accessToken } = await gatehouse.api.auth.signup({ email, password: GOOD_PASSWORD });
  const setup = await gatehouse.as(accessToken).mfa.setupTotp();
  const enable = await gatehouse.as(accessToken).mfa.enableTotp({ code: codeAt(setup.secret, gatehouse.clock.now()) });
  gatehouse.clock.advance(30_000);
  return { email, accessToken, secret: setup.secret, otpauthUrl: setup.otpauthUrl, recoveryCodes: enable.recoveryCodes };
}

const login = (email: string) => gatehouse.api.auth.login({ email, password: GOOD_PASSWORD });

describe("two-factor (TOTP)", () => {
  it("setup returns an otpauth URL; enable needs a valid code and returns 10 single-use recovery codes", async () => {
    const email = uniqueEmail("mfa");
    const { accessToken } = await gatehouse.api.auth.signup({ email, password: GOOD_PASSWORD });
    const setup = await gatehouse.as(accessToken).mfa.setupTotp();
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Gatehouse:.+\?.*secret=[A-Z2-7]{32}/);
    expect(await refusalOf(gatehouse.as(accessToken).mfa.enableTotp({ code: "000000" }))).toBe("mfa_invalid");
    const enable = await gatehouse.as(accessToken).mfa.enableTotp({ code: codeAt(setup.secret, gatehouse.clock.now()) });
    const codes = enable.recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect((await gatehouse.as(accessToken).auth.me()).user.mfaEnabled).toBe(true);
    // The secret is stored sealed, never in clear, and is never returned again.
    const stored = JSON.stringify(await gatehouse.services.users.findByEmail(email));
    expect(stored).not.toContain(setup.secret);
    for (const code of codes) expect(stored).not.toContain(code);
    expect(gatehouse.logLines().some((l) => l.event === "mfa_enabled")).toBe(true);
  });

  it("login of an MFA user returns only {mfaRequired, mfaToken}; verifyMfa with the code returns tokens", async () => {
    const account = await mfaAccount();
    const first = await login(account.email);
    expect(Object.keys(first).sort()).toEqual(["mfaRequired", "mfaToken"]);
    const { mfaToken } = challengeIn(first);
    expect(await refusalOf(gatehouse.api.auth.verifyMfa({ mfaToken, code: "123456" }))).toBe("mfa_invalid");
    const verified = await gatehouse.api.auth.verifyMfa({ mfaToken, code: codeAt(account.secret, gatehouse.clock.now()) });
    expect(tokensOf(verified).accessToken).toEqual(expect.any(String));
    // The mfaToken is single use.
    gatehouse.clock.advance(30_000);
    expect(await refusalOf(gatehouse.api.auth.verifyMfa({ mfaToken, code: codeAt(account.secret, gatehouse.clock.now()) }))).toBe("mfa_invalid");
  });

  it("refuses a code already used in its window (replay), and accepts ±1 step of drift", async () => {
    const account = await mfaAccount();
    const code = codeAt(account.secret, gatehouse.clock.now());
    const a = challengeIn(await login(account.email)).mfaToken;
    await gatehouse.api.auth.verifyMfa({ mfaToken: a, code });
    const b = challengeIn(await login(account.email)).mfaToken;
    expect(await refusalOf(gatehouse.api.auth.verifyMfa({ mfaToken: b!, code: code! }))).toBe("mfa_invalid");
    await gatehouse.api.auth.verifyMfa({ mfaToken: b, code: codeAt(account.secret, gatehouse.clock.now(), 1) });
  });

  it("says a code was already used when the code that turned two-factor on comes again (still mfa_invalid)", async () => {
    const email = uniqueEmail("mfa");
    const { accessToken } = await gatehouse.api.auth.signup({ email, password: GOOD_PASSWORD });
    const { secret } = await gatehouse.as(accessToken).mfa.setupTotp();
    const code = codeAt(secret, gatehouse.clock.now());
    await gatehouse.as(accessToken).mfa.enableTotp({ code });

    const { mfaToken } = challengeIn(await login(email));
    const reused = await errorOf(gatehouse.api.auth.verifyMfa({ mfaToken, code }));
    expect(reasonOfError(reused)).toBe("mfa_invalid");
    expect(reused.message).toMatch(/already used/i);
    // Step-up and turning it off say the same; a wrong code keeps the plain message.
    const stepUp = await errorOf(gatehouse.as(accessToken).auth.reauthenticate({ password: GOOD_PASSWORD, code }));
    expect(stepUp.message).toMatch(/already used/i);
    const disable = await errorOf(gatehouse.as(accessToken).mfa.disableTotp({ code }));
    expect(reasonOfError(disable)).toBe("mfa_invalid");
    expect(disable.message).toMatch(/already used/i);
    const wrong = await errorOf(gatehouse.api.auth.verifyMfa({ mfaToken, code: code === "000000" ? "000001" : "000000" }));
    expect(wrong.message).not.toMatch(/already used/i);
    // The challenge survives the refusals: the next code signs in.
    await gatehouse.api.auth.verifyMfa({ mfaToken, code: codeAt(secret, gatehouse.clock.now(), 1) });
  });

  it("mfaToken lives 5 minutes", async () => {
    const account = await mfaAccount();
    const { mfaToken } = challengeIn(await login(account.email));
    gatehouse.clock.advance(5 * 60_000 + 1_000);
    expect(await refusalOf(gatehouse.api.auth.verifyMfa({ mfaToken, code: codeAt(account.secret, gatehouse.clock.now()) }))).toBe("mfa_invalid");
  });

  it("limits guesses to 5 per mfaToken and per user", async () => {
    const account = await mfaAccount();
    const { mfaToken } = challengeIn(await login(account.email));
    for (let i = 0; i < 5; i += 1) expect(await refusalOf(gatehouse.api.auth.verifyMfa({ mfaToken, code: "000000" }))).toBe("mfa_invalid");
    expect(await refusalOf(gatehouse.api.auth.verifyMfa({ mfaToken, code: codeAt(account.secret, gatehouse.clock.now()) }))).toBe("rate_limited");
    // A new mfaToken does not reset the per-user count.
    const second = challengeIn(await login(account.email)).mfaToken;
    expect(await refusalOf(gatehouse.api.auth.verifyMfa({ mfaToken: second, code: codeAt(account.secret, gatehouse.clock.now()) }))).toBe("rate_limited");
  });

  it("accepts each recovery code once", async () => {
    const account = await mfaAccount();
    const [code] = account.recoveryCodes;
    const a = challengeIn(await login(account.email)).mfaToken;
    await gatehouse.api.auth.verifyMfa({ mfaToken: a, code: code!.toUpperCase() });
    const b = challengeIn(await login(account.email)).mfaToken;
    expect(await refusalOf(gatehouse.api.auth.verifyMfa({ mfaToken: b!, code: code! }))).toBe("mfa_invalid");
  });

  it("reauthenticate needs the code too when MFA is on", async () => {
    const account = await mfaAccount();
    expect(await refusalOf(gatehouse.as(account.accessToken).auth.reauthenticate({ password: GOOD_PASSWORD }))).toBe("mfa_invalid");
    await gatehouse.as(account.accessToken).auth.reauthenticate({ password: GOOD_PASSWORD, code: codeAt(account.secret, gatehouse.clock.now()) });
  });

  it("disable needs step-up and a valid code", async () => {
    const account = await mfaAccount();
    expect(await refusalOf(gatehouse.as(account.accessToken).mfa.disableTotp({ code: "000000" }))).toBe("mfa_invalid");
    gatehouse.clock.advance(10 * 60_000);
    expect(await refusalOf(gatehouse.as(account.accessToken).mfa.disableTotp({ code: codeAt(account.secret, gatehouse.clock.now()) }))).toBe("reauth_required");
    const renewed = await gatehouse
      .as(account.accessToken)
      .auth.reauthenticate({ password: GOOD_PASSWORD, code: codeAt(account.secret, gatehouse.clock.now()) });
    gatehouse.clock.advance(30_000);
    await gatehouse.as(renewed.accessToken).mfa.disableTotp({ code: codeAt(account.secret, gatehouse.clock.now()) });
    expect(tokensOf(await login(account.email)).accessToken).toEqual(expect.any(String));
    expect(gatehouse.logLines().some((l) => l.event === "mfa_disabled")).toBe(true);
  });

  it("no TOTP secret, code, recovery code or mfaToken reaches a log line", async () => {
    const account = await mfaAccount();
    const { mfaToken } = challengeIn(await login(account.email));
    const code = codeAt(account.secret, gatehouse.clock.now());
    await gatehouse.api.auth.verifyMfa({ mfaToken, code });
    const log = JSON.stringify(gatehouse.logLines());
    for (const secret of [account.secret, mfaToken, code, ...account.recoveryCodes]) expect(log).not.toContain(secret);
  });
});

describe("MFA challenges in flight", () => {
  it("a password reset voids a pending mfaToken", async () => {
    const account = await mfaAccount();
    const { mfaToken } = challengeIn(await login(account.email));
    await gatehouse.api.auth.requestPasswordReset({ email: account.email });
    const mail = (await gatehouse.outbox()).filter((m) => m.to === account.email && m.subject === "Reset your password").at(-1)!;
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    await gatehouse.api.auth.resetPassword({ token, password: "a brand new passphrase" });
    expect(await refusalOf(gatehouse.api.auth.verifyMfa({ mfaToken, code: codeAt(account.secret, gatehouse.clock.now()) }))).toBe("mfa_invalid");
  });

  it("a recovery code typed without its hyphen or in capitals still works", async () => {
    const account = await mfaAccount();
    const { mfaToken } = challengeIn(await login(account.email));
    await gatehouse.api.auth.verifyMfa({ mfaToken, code: account.recoveryCodes[1]!.replace("-", "").toUpperCase() });
  });
});
