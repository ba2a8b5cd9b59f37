import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import {
  challengeOf,
  dataOf,
  GOOD_PASSWORD,
  reasonOf,
  signedInOf,
  startServer,
  uniqueEmail,
  wireErrorOf,
  type CallResult,
  type TestServer,
} from "./harness.js";

const GENEROUS_REAUTH = { "reauth.user": { max: 100_000, windowSeconds: 60 } };
const codeAt = (secret: string, ms: number) => generateHOTP(decodeBase32IgnorePadding(secret), BigInt(Math.floor(ms / 30_000)), 6);
const count = (results: CallResult[], reason: string) => results.filter((r) => reasonOf(r) === reason).length;

/** 40 guesses sent at once, the right one 35th: no call waits for another. */
const guesses = (right: string) => Array.from({ length: 40 }, (_, i) => (i === 34 ? right : `wrong guess number ${i}`));

async function signedIn(server: TestServer) {
  const email = uniqueEmail();
  await server.call("auth.signup", { email, password: GOOD_PASSWORD });
  const login = signedInOf(await server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" }));
  return { email, accessToken: login.accessToken as string, deviceToken: login.deviceToken as string };
}

async function mfaAccount(server: TestServer) {
  const email = uniqueEmail("mfa");
  const { accessToken } = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
  const { secret } = dataOf(await server.call("mfa.setupTotp", undefined, { bearer: accessToken }));
  const recoveryCodes = dataOf(await server.call("mfa.enableTotp", { code: codeAt(secret, server.clock.now()) }, { bearer: accessToken }))
    .recoveryCodes as string[];
  server.clock.advance(30_000);
  return { email, accessToken, secret: secret as string, recoveryCodes };
}

describe("password guesses sent all at once (bcrypt cost 12)", () => {
  it("auth.reauthenticate checks at most 10 of 40 parallel guesses; the right one, 35th, is refused", { timeout: 120_000 }, async () => {
    const server = await startServer({ bcryptCost: 12, limits: GENEROUS_REAUTH });
    const email = uniqueEmail();
    const { accessToken } = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    const results = await Promise.all(guesses(GOOD_PASSWORD).map((password) => server.call("auth.reauthenticate", { password }, { bearer: accessToken })));
    expect(count(results, "invalid_credentials")).toBe(10);
    expect(count(results, "account_locked")).toBe(30);
    expect(reasonOf(results[34]!)).toBe("account_locked");
    expect(server.logLines().filter((l) => l.event === "login_locked")).toHaveLength(1);
  });

  it("auth.changePassword: 40 parallel guesses change nothing and end no session", { timeout: 120_000 }, async () => {
    const server = await startServer({ bcryptCost: 12, limits: GENEROUS_REAUTH });
    const email = uniqueEmail();
    const { accessToken } = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    const other = signedInOf(await server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    const results = await Promise.all(
      guesses(GOOD_PASSWORD).map((currentPassword) =>
        server.call("auth.changePassword", { currentPassword, newPassword: "the attacker's new passphrase" }, { bearer: accessToken }),
      ),
    );
    expect(count(results, "invalid_credentials")).toBe(10);
    expect(results.filter((r) => r.status === 200)).toHaveLength(0);
    expect((await server.call("auth.me", undefined, { query: true, bearer: other.accessToken })).status).toBe(200);
    server.clock.advance(15 * 60_000 + 1_000);
    expect((await server.call("auth.login", { email, password: GOOD_PASSWORD })).status).toBe(200);
  });

  it("auth.login: 40 parallel guesses are checked at most 10 times", { timeout: 120_000 }, async () => {
    const server = await startServer({ bcryptCost: 12 });
    const email = uniqueEmail();
    await server.call("auth.signup", { email, password: GOOD_PASSWORD });
    const results = await Promise.all(guesses(GOOD_PASSWORD).map((password) => server.call("auth.login", { email, password })));
    expect(count(results, "invalid_credentials")).toBe(10);
    expect(reasonOf(results[34]!)).toBe("account_locked");
  });
});

describe("second-factor guesses sent all at once", () => {
  it("auth.verifyMfa checks at most 5 of 40 parallel codes; the right one, 35th, is refused", async () => {
    const server = await startServer();
    const account = await mfaAccount(server);
    const { mfaToken } = challengeOf(await server.call("auth.login", { email: account.email, password: GOOD_PASSWORD }));
    const right = codeAt(account.secret, server.clock.now());
    const codes = Array.from({ length: 40 }, (_, i) => (i === 34 ? right : String(100000 + i)));
    const results = await Promise.all(codes.map((code) => server.call("auth.verifyMfa", { mfaToken, code })));
    expect(count(results, "mfa_invalid")).toBe(5);
    expect(reasonOf(results[34]!)).toBe("rate_limited");
  });

  it("mfa.disableTotp checks at most 5 of 40 parallel codes", async () => {
    const server = await startServer();
    const account = await mfaAccount(server);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => server.call("mfa.disableTotp", { code: String(200000 + i) }, { bearer: account.accessToken })),
    );
    expect(count(results, "mfa_invalid")).toBe(5);
    expect(count(results, "rate_limited")).toBe(35);
  });
});

describe("reauth.user: a signed-in user's password checks have a count of their own", () => {
  it("the 21st step-up or password change in 15 minutes is refused with rate_limited and the rule's headers", async () => {
    const server = await startServer();
    const { accessToken } = await signedIn(server);
    for (let i = 0; i < 10; i += 1) {
      expect((await server.call("auth.reauthenticate", { password: GOOD_PASSWORD }, { bearer: accessToken })).status).toBe(200);
      expect(reasonOf(await server.call("auth.changePassword", { currentPassword: GOOD_PASSWORD, newPassword: "password1" }, { bearer: accessToken }))).toBe(
        "weak_password",
      );
    }
    const refused = await server.call("auth.reauthenticate", { password: GOOD_PASSWORD }, { bearer: accessToken });
    expect(reasonOf(refused)).toBe("rate_limited");
    expect(refused.headers.get("ratelimit-policy")).toBe('"reauth.user";q=20;w=900');
  });
});

describe("the known-device exemption covers every password check", () => {
  it("a lockout of the email does not refuse the owner's signed-in device at reauthenticate or changePassword", async () => {
    const server = await startServer();
    const owner = await signedIn(server);
    for (let i = 0; i < 10; i += 1) await server.call("auth.login", { email: owner.email, password: `attacker ${i}` });
    expect(reasonOf(await server.call("auth.login", { email: owner.email, password: GOOD_PASSWORD }))).toBe("account_locked");
    expect((await server.call("auth.reauthenticate", { password: GOOD_PASSWORD }, { bearer: owner.accessToken })).status).toBe(200);
    expect(
      (await server.call("auth.changePassword", { currentPassword: GOOD_PASSWORD, newPassword: "a brand new passphrase" }, { bearer: owner.accessToken }))
        .status,
    ).toBe(200);
  });

  it("guesses through that session lock the device, not the email", async () => {
    const server = await startServer();
    const owner = await signedIn(server);
    for (let i = 0; i < 10; i += 1) await server.call("auth.reauthenticate", { password: `thief ${i}` }, { bearer: owner.accessToken });
    expect(reasonOf(await server.call("auth.reauthenticate", { password: GOOD_PASSWORD }, { bearer: owner.accessToken }))).toBe("account_locked");
    const device = await server.call("auth.login", { email: owner.email, password: GOOD_PASSWORD, deviceToken: owner.deviceToken }, { mode: "token" });
    expect(reasonOf(device)).toBe("account_locked");
    expect((await server.call("auth.login", { email: owner.email, password: GOOD_PASSWORD })).status).toBe(200);
  });
});

describe("only failed second-factor checks count", () => {
  it("six logins in a row, each finished with a valid recovery code, all succeed", async () => {
    const server = await startServer();
    const account = await mfaAccount(server);
    for (const code of account.recoveryCodes.slice(0, 6)) {
      const { mfaToken } = challengeOf(await server.call("auth.login", { email: account.email, password: GOOD_PASSWORD }));
      expect((await server.call("auth.verifyMfa", { mfaToken, code })).status).toBe(200);
    }
  });

  it("calls refused while locked do not lengthen the lock", async () => {
    const server = await startServer();
    const account = await mfaAccount(server);
    const { mfaToken } = challengeOf(await server.call("auth.login", { email: account.email, password: GOOD_PASSWORD }));
    for (let i = 0; i < 5; i += 1) expect(reasonOf(await server.call("auth.verifyMfa", { mfaToken, code: String(300000 + i) }))).toBe("mfa_invalid");
    for (let minute = 0; minute < 15; minute += 1) {
      const login = challengeOf(await server.call("auth.login", { email: account.email, password: GOOD_PASSWORD }));
      const locked = await server.call("auth.verifyMfa", { mfaToken: login.mfaToken, code: account.recoveryCodes[0]! });
      expect(reasonOf(locked)).toBe("rate_limited");
      expect(Number(locked.headers.get("retry-after"))).toBe(900 - minute * 60);
      server.clock.advance(60_000);
    }
    server.clock.advance(1_000);
    const login = challengeOf(await server.call("auth.login", { email: account.email, password: GOOD_PASSWORD }));
    expect((await server.call("auth.verifyMfa", { mfaToken: login.mfaToken, code: account.recoveryCodes[0]! })).status).toBe(200);
  });
});

describe("the mfaToken keeps the expiry it was issued with", () => {
  it("wrong codes do not keep it alive past 5 minutes from the login", async () => {
    const server = await startServer();
    const account = await mfaAccount(server);
    const { mfaToken } = challengeOf(await server.call("auth.login", { email: account.email, password: GOOD_PASSWORD }));
    server.clock.advance(4 * 60_000);
    expect(reasonOf(await server.call("auth.verifyMfa", { mfaToken, code: "000000" }))).toBe("mfa_invalid");
    server.clock.advance(60_000 + 1_000);
    const late = await server.call("auth.verifyMfa", { mfaToken, code: codeAt(account.secret, server.clock.now()) });
    expect(reasonOf(late)).toBe("mfa_invalid");
    expect(wireErrorOf(late).message).toBe("The sign-in attempt expired; sign in again.");
  });
});

describe("account_locked says how long", () => {
  it("its message carries the seconds Retry-After carries", async () => {
    const server = await startServer();
    const email = uniqueEmail();
    for (let i = 0; i < 10; i += 1) await server.call("auth.login", { email, password: `guess ${i}` });
    server.clock.advance(100_000);
    const locked = await server.call("auth.login", { email, password: GOOD_PASSWORD });
    expect(locked.headers.get("retry-after")).toBe("800");
    expect(wireErrorOf(locked).message).toBe("Too many failed attempts; try again in 800 s.");
  });
});
