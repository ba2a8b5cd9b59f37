import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "@gatehouse/store";
import { parseLimits } from "../src/index.js";
import { createFakeClock } from "@gatehouse/store/testing";
import {
  challengeOf,
  dataOf,
  GOOD_PASSWORD,
  reasonOf,
  signedInOf,
  startServer,
  uniqueEmail,
  type InputOf,
  type StartOptions,
  type TestServer,
} from "./harness.js";
import { hasRedis, REDIS_URL } from "./redis.js";

const APP = "https://app.example.com";
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ appUrl: APP });
});
afterAll(() => server.close());

async function account(target = server) {
  const email = uniqueEmail("code");
  const data = dataOf(await target.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
  return { email, id: data.user.id as string, accessToken: data.accessToken as string };
}

/** The code and link token of the newest sign-in mail to `to`. */
async function mailedCode(to: string, target = server): Promise<{ code: string; token: string; text: string; html: string }> {
  const mail = (await target.outbox()).filter((m) => m.to === to && m.subject === "Your sign-in code").at(-1);
  if (!mail) throw new Error(`no sign-in mail to ${to}`);
  const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
  const token = new RegExp(`${APP.replace(/\./g, "\\.")}/sign-in-code\\?token=([A-Za-z0-9_-]+)`).exec(mail.text)?.[1];
  if (!code || !token) throw new Error("the mail has no code or link");
  return { code, token, text: mail.text, html: mail.html ?? "" };
}

const request = (email: string, target = server) => target.call("auth.requestEmailCode", { email });
const redeem = (input: InputOf<"auth.loginWithEmailCode">, target = server) => target.call("auth.loginWithEmailCode", input, { mode: "token" });
/** A code that is not the one mailed. */
const otherThan = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe("email sign-in codes", () => {
  it("answers {ok:true} the same for every address and mails a 6-digit code and a one-click link only to a known one", async () => {
    const alice = await account();
    const ghost = uniqueEmail("ghost");
    const known = await request(alice.email);
    const unknown = await request(ghost);
    expect(known.status).toBe(200);
    expect(dataOf(known)).toEqual({ ok: true });
    expect(unknown.text).toBe(known.text);
    const mail = await mailedCode(alice.email);
    expect(mail.code).toMatch(/^\d{6}$/);
    expect(mail.token.length).toBeGreaterThanOrEqual(43);
    expect(mail.html).toContain(`<a href="${APP}/sign-in-code?token=${mail.token}">`);
    expect((await server.outbox()).filter((m) => m.to === ghost)).toHaveLength(0);
    const events = server.logLines();
    expect(events.some((l) => l.event === "email_code_requested" && l.userId === alice.id)).toBe(true);
    expect(events.some((l) => l.event === "email_code_requested_unknown_email")).toBe(true);
  });

  it("signs in with the code once; the same code, or its link, then answers code_invalid", async () => {
    const alice = await account();
    await request(alice.email);
    const { code, token } = await mailedCode(alice.email);
    const signedIn = await redeem({ email: alice.email, code });
    expect(signedIn.status).toBe(200);
    expect(dataOf(signedIn)).toMatchObject({ tokenType: "Bearer", user: { id: alice.id, email: alice.email }, refreshToken: expect.any(String) });
    for (const again of [{ email: alice.email, code }, { token }]) {
      const refused = await redeem(again);
      expect(refused.status).toBe(401);
      expect(reasonOf(refused)).toBe("code_invalid");
    }
    expect(server.logLines().some((l) => l.event === "login_success" && l.userId === alice.id && l.method === "email_code")).toBe(true);
  });

  it("signs in with the link's token once (cookie mode sets the refresh cookie)", async () => {
    const alice = await account();
    await request(alice.email);
    const { code, token } = await mailedCode(alice.email);
    const signedIn = await server.call("auth.loginWithEmailCode", { token });
    expect(signedIn.status).toBe(200);
    expect(signedInOf(signedIn).user.id).toBe(alice.id);
    expect(signedInOf(signedIn).refreshToken).toBeUndefined();
    expect(signedIn.headers.getSetCookie().some((c) => c.startsWith("refresh_token="))).toBe(true);
    expect(reasonOf(await redeem({ token }))).toBe("code_invalid");
    expect(reasonOf(await redeem({ email: alice.email, code }))).toBe("code_invalid");
  });

  it("expires the code and the link after 10 minutes", async () => {
    const alice = await account();
    await request(alice.email);
    const { code, token } = await mailedCode(alice.email);
    server.clock.advance(10 * 60_000 + 1_000);
    expect(reasonOf(await redeem({ email: alice.email, code }))).toBe("code_invalid");
    expect(reasonOf(await redeem({ token }))).toBe("code_invalid");
  });

  it("works just before the 10 minutes are up", async () => {
    const alice = await account();
    await request(alice.email);
    const { code } = await mailedCode(alice.email);
    server.clock.advance(10 * 60_000 - 1_000);
    expect((await redeem({ email: alice.email, code })).status).toBe(200);
  });

  it("voids the code at the fifth wrong one: the right code then fails too", async () => {
    const alice = await account();
    await request(alice.email);
    const { code, token } = await mailedCode(alice.email);
    for (let i = 0; i < 4; i += 1) expect(reasonOf(await redeem({ email: alice.email, code: otherThan(code) }))).toBe("code_invalid");
    const fifth = await redeem({ email: alice.email, code: otherThan(code) });
    expect(reasonOf(fifth)).toBe("code_invalid");
    expect(reasonOf(await redeem({ email: alice.email, code }))).toBe("code_invalid");
    expect(reasonOf(await redeem({ token }))).toBe("code_invalid");
    expect(server.logLines().some((l) => l.event === "email_code_voided" && l.userId === alice.id)).toBe(true);
  });

  it("still takes the right code after four wrong ones", async () => {
    const alice = await account();
    await request(alice.email);
    const { code } = await mailedCode(alice.email);
    for (let i = 0; i < 4; i += 1) await redeem({ email: alice.email, code: otherThan(code) });
    expect((await redeem({ email: alice.email, code })).status).toBe(200);
  });

  it("a newer code replaces the older one", async () => {
    const alice = await account();
    await request(alice.email);
    const first = await mailedCode(alice.email);
    server.clock.advance(1_000);
    await request(alice.email);
    const second = await mailedCode(alice.email);
    expect(second.token).not.toBe(first.token);
    expect(reasonOf(await redeem({ token: first.token }))).toBe("code_invalid");
    if (first.code !== second.code) expect(reasonOf(await redeem({ email: alice.email, code: first.code }))).toBe("code_invalid");
    expect((await redeem({ email: alice.email, code: second.code })).status).toBe(200);
  });

  it("a code for one address does not sign in to another", async () => {
    const [alice, bob] = [await account(), await account()];
    await request(alice.email);
    const { code } = await mailedCode(alice.email);
    await request(bob.email);
    const bobs = await mailedCode(bob.email);
    if (bobs.code !== code) expect(reasonOf(await redeem({ email: bob.email, code }))).toBe("code_invalid");
    expect(signedInOf(await redeem({ email: alice.email, code })).user.id).toBe(alice.id);
  });

  it("a reset or logout everywhere since the code was sent voids it", async () => {
    const alice = await account();
    await request(alice.email);
    const { code } = await mailedCode(alice.email);
    await server.call("auth.logoutAll", undefined, { bearer: alice.accessToken });
    expect(reasonOf(await redeem({ email: alice.email, code }))).toBe("code_invalid");
  });

  it("refuses a code that is not 6 digits as invalid input", async () => {
    const alice = await account();
    for (const code of ["12345", "1234567", "abcdef"]) expect(reasonOf(await redeem({ email: alice.email, code }))).toBe("validation_failed");
    expect(reasonOf(await server.send("auth.loginWithEmailCode", { email: alice.email }, { mode: "token" }))).toBe("validation_failed");
    expect(reasonOf(await redeem({ token: "x", email: alice.email }))).toBe("validation_failed");
  });

  it("confirms an unconfirmed address: the code proved the mailbox, so the sessions from before end and the new one goes on", async () => {
    const alice = await account();
    await request(alice.email);
    const { code } = await mailedCode(alice.email);
    const signedIn = await redeem({ email: alice.email, code });
    expect(signedInOf(signedIn).user.emailVerified).toBe(true);
    expect(server.logLines().some((l) => l.event === "email_verified" && l.userId === alice.id)).toBe(true);
    expect(reasonOf(await server.call("auth.me", undefined, { query: true, bearer: alice.accessToken }))).toBe("token_revoked");
    expect((await server.call("auth.me", undefined, { query: true, bearer: signedInOf(signedIn).accessToken })).status).toBe(200);
  });

  it("writes the request and the sign-in to the user's activity and the audit trail", async () => {
    const alice = await account();
    await request(alice.email);
    // The first code confirmed the address, which ended the signup's session: the new one reads the list.
    const { accessToken } = signedInOf(await redeem({ email: alice.email, code: (await mailedCode(alice.email)).code }));
    await server.services.events.drain();
    const activity = dataOf(await server.call("activity.list", { limit: 20 }, { query: true, bearer: accessToken })).items.map(
      (i: { event: string }) => i.event,
    );
    expect(activity[2]).toBe("email_code_requested");
    // One request wrote these two; their order in the log is not part of the promise.
    expect(activity.slice(0, 2).sort()).toEqual(["email_verified", "login_success"]);
    const audited = (await server.services.audit.page(undefined, 100)).items.filter((e) => e.target === alice.id).map((e) => e.action);
    expect(audited).toEqual(expect.arrayContaining(["email_code_requested", "email_verified", "login_success"]));
  });

  it("keeps the code, the link and the mail out of every log line", async () => {
    const alice = await account();
    await request(alice.email);
    const { code, token } = await mailedCode(alice.email);
    await redeem({ email: alice.email, code: otherThan(code) });
    await redeem({ token });
    const log = JSON.stringify(server.logLines());
    expect(log).not.toContain(token);
    expect(log).not.toMatch(new RegExp(`"[^"]*\\b${code}\\b[^"]*"`));
    expect(log).not.toContain(alice.email);
  });
});

const sqliteUrl = () => `sqlite://${join(mkdtempSync(join(tmpdir(), "gatehouse-codes-")), "auth.db")}`;
const stores: Array<[string, () => Promise<StartOptions>, boolean]> = [
  ["memory", async () => ({}), true],
  ["sqlite", async () => ({ storeUrl: sqliteUrl() }), true],
  [
    "redis",
    async () => {
      const clock = createFakeClock();
      return { clock, store: await openStore(REDIS_URL, { clock: clock.now, prefix: `test:${randomUUID()}:` }) };
    },
    hasRedis,
  ],
];

describe.each(stores)("email sign-in codes on the %s store", (name, options, available) => {
  it.skipIf(!available)("lets exactly one of twenty concurrent redemptions of one code succeed, and counts every concurrent wrong one", async () => {
    // The losers count as failures toward the lockout; this test is not about it.
    const target = await startServer({ appUrl: APP, limits: { "login.lockout": { max: 1000, windowSeconds: 900 } }, ...(await options()) });
    const alice = await account(target);
    await request(alice.email, target);
    const { code, token } = await mailedCode(alice.email, target);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => redeem(i % 2 ? { token } : { email: alice.email, code }, target)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => reasonOf(r) === "code_invalid")).toHaveLength(19);

    target.clock.advance(1_000);
    await request(alice.email, target);
    const next = await mailedCode(alice.email, target);
    const wrong = await Promise.all(Array.from({ length: 5 }, () => redeem({ email: alice.email, code: otherThan(next.code) }, target)));
    expect(wrong.every((r) => reasonOf(r) === "code_invalid")).toBe(true);
    expect(reasonOf(await redeem({ email: alice.email, code: next.code }, target))).toBe("code_invalid");
  });

  it.skipIf(!available)("counts each code before checking it: of 40 wrong codes sent at once, at most login.lockout MAX are checked", async () => {
    const target = await startServer({ appUrl: APP, limits: { "login.lockout": { max: 10, windowSeconds: 900 } }, ...(await options()) });
    const alice = await account(target);
    await request(alice.email, target);
    const { code } = await mailedCode(alice.email, target);
    const results = await Promise.all(Array.from({ length: 40 }, () => redeem({ email: alice.email, code: otherThan(code) }, target)));
    expect(results.filter((r) => reasonOf(r) === "code_invalid")).toHaveLength(10);
    expect(results.filter((r) => reasonOf(r) === "account_locked")).toHaveLength(30);
    expect(target.logLines().filter((l) => l.event === "login_locked")).toHaveLength(1);
  });
});

describe("email sign-in codes: limits, lockout and account state", () => {
  it("limits requests to 3 per 15 minutes per address (emailCode.email), known or not; AUTH_LIMITS can change it", async () => {
    const limited = await startServer({ appUrl: APP, limits: { "emailCode.email": { max: 3, windowSeconds: 900 } } });
    for (const email of [(await account(limited)).email, uniqueEmail("ghost")]) {
      for (let i = 0; i < 3; i += 1) expect((await request(email, limited)).status).toBe(200);
      const refused = await request(email, limited);
      expect(reasonOf(refused)).toBe("rate_limited");
      expect(refused.headers.get("ratelimit-policy")).toBe('"emailCode.email";q=3;w=900');
    }
    expect(parseLimits('{"emailCode.email":"10/1h"}')).toEqual({ ok: true, limits: { "emailCode.email": { max: 10, windowSeconds: 3600 } } });
  });

  it("counts wrong codes toward the lockout: a locked address is refused even the right code", async () => {
    const locking = await startServer({ appUrl: APP, limits: { "login.lockout": { max: 3, windowSeconds: 900 } } });
    const alice = await account(locking);
    await request(alice.email, locking);
    const { code } = await mailedCode(alice.email, locking);
    for (let i = 0; i < 3; i += 1) await redeem({ email: alice.email, code: otherThan(code) }, locking);
    const locked = await redeem({ email: alice.email, code }, locking);
    expect(reasonOf(locked)).toBe("account_locked");
    expect(locked.headers.get("retry-after")).toBe("900");
  });

  it("a browser that signed in before keeps its way in while the address is locked: its device cookie reaches this procedure too", async () => {
    const locking = await startServer({ appUrl: APP, limits: { "login.lockout": { max: 3, windowSeconds: 900 } } });
    const alice = await account(locking);
    const login = await locking.call("auth.login", { email: alice.email, password: GOOD_PASSWORD });
    const deviceCookies = login.headers.getSetCookie().filter((c) => c.startsWith("device_token="));
    expect(deviceCookies.map((c) => /Path=([^;]+)/.exec(c)?.[1]).sort()).toEqual([
      "/trpc/auth.login",
      "/trpc/auth.loginWithEmailCode",
      "/trpc/auth.loginWithPasskey",
    ]);
    const device = deviceCookies[0]!.split(";")[0]!;
    for (let i = 0; i < 3; i += 1) await locking.call("auth.login", { email: alice.email, password: "wrong password" });
    await request(alice.email, locking);
    const { code } = await mailedCode(alice.email, locking);
    expect(reasonOf(await locking.call("auth.loginWithEmailCode", { email: alice.email, code }))).toBe("account_locked");
    const owner = await locking.call("auth.loginWithEmailCode", { email: alice.email, code }, { cookie: device });
    expect(owner.status).toBe(200);
    // The same credential back, not a new one.
    expect(
      owner.headers
        .getSetCookie()
        .find((c) => c.startsWith("device_token="))
        ?.split(";")[0],
    ).toBe(device);
  });

  it("answers account_disabled for a locked account, after the right code", async () => {
    const alice = await account();
    await server.services.users.update(alice.id, (u) => ({ ...u, disabledAt: server.clock.now() }));
    await request(alice.email);
    const { code } = await mailedCode(alice.email);
    expect(reasonOf(await redeem({ email: alice.email, code: otherThan(code) }))).toBe("code_invalid");
    expect(reasonOf(await redeem({ email: alice.email, code }))).toBe("account_disabled");
    // Nothing of the account changed: its address is no more confirmed than before, its sessions not ended again.
    expect(await server.services.users.get(alice.id)).toMatchObject({ emailVerified: false, sessionGeneration: 0 });
  });

  it("asks for TOTP after the code when two-factor is on", async () => {
    const alice = await account();
    // On an address never confirmed, the first code would take the account back, second factor and all.
    await server.services.users.update(alice.id, (u) => ({ ...u, emailVerified: true }));
    const { secret } = dataOf(await server.call("mfa.setupTotp", undefined, { bearer: alice.accessToken }));
    const totp = (offset = 0) => generateHOTP(decodeBase32IgnorePadding(secret), BigInt(Math.floor(server.clock.now() / 30_000) + offset), 6);
    await server.call("mfa.enableTotp", { code: totp() }, { bearer: alice.accessToken });
    await request(alice.email);
    const { code } = await mailedCode(alice.email);
    const first = await redeem({ email: alice.email, code });
    expect(Object.keys(dataOf(first)).sort()).toEqual(["mfaRequired", "mfaToken"]);
    const verified = await server.call("auth.verifyMfa", { mfaToken: challengeOf(first).mfaToken, code: totp(1) }, { mode: "token" });
    expect(verified.status).toBe(200);
    expect(dataOf(verified).user.id).toBe(alice.id);
    expect(server.logLines().some((l) => l.event === "login_success" && l.userId === alice.id && l.method === "email_code" && l.mfa === true)).toBe(true);
  });
});

describe("passwordless sign-up (AUTH_PASSWORDLESS_SIGNUP)", () => {
  it("off (the default): an unknown address gets no mail, and nothing signs it in", async () => {
    const ghost = uniqueEmail("ghost");
    await request(ghost);
    expect((await server.outbox()).filter((m) => m.to === ghost)).toHaveLength(0);
    expect(reasonOf(await redeem({ email: ghost, code: "123456" }))).toBe("code_invalid");
    expect(await server.services.users.findByEmail(ghost)).toBeUndefined();
  });

  it("on: the first correct code creates the account, its address confirmed; the same answer as for a known address", async () => {
    const open = await startServer({ appUrl: APP, passwordlessSignup: true });
    const newcomer = uniqueEmail("new");
    const known = (await account(open)).email;
    expect((await request(newcomer, open)).text).toBe((await request(known, open)).text);
    const { code } = await mailedCode(newcomer, open);
    expect(await open.services.users.findByEmail(newcomer)).toBeUndefined();
    expect(reasonOf(await redeem({ email: newcomer, code: otherThan(code) }, open))).toBe("code_invalid");
    expect(await open.services.users.findByEmail(newcomer)).toBeUndefined();
    const signedUp = await redeem({ email: newcomer, code }, open);
    expect(signedUp.status).toBe(200);
    expect(signedInOf(signedUp).user).toMatchObject({ email: newcomer, emailVerified: true, role: "user", mfaEnabled: false });
    const events = open.logLines();
    expect(events.some((l) => l.event === "signup" && l.userId === signedInOf(signedUp).user.id && l.method === "email_code")).toBe(true);
    // No password was set: none signs in, not even an empty one.
    expect(reasonOf(await open.call("auth.login", { email: newcomer, password: GOOD_PASSWORD }))).toBe("invalid_credentials");
    // The next code signs in to that account rather than making another.
    open.clock.advance(1_000); // outbox files are named by the clock: keeps "newest" well defined
    await request(newcomer, open);
    const again = await redeem({ email: newcomer, code: (await mailedCode(newcomer, open)).code }, open);
    expect(signedInOf(again).user.id).toBe(signedInOf(signedUp).user.id);
  });

  it("on: a code sent while the address had no account does not sign in to one someone made meanwhile", async () => {
    const open = await startServer({ appUrl: APP, passwordlessSignup: true });
    const email = uniqueEmail("race");
    await request(email, open);
    const { code } = await mailedCode(email, open);
    await open.call("auth.signup", { email, password: GOOD_PASSWORD });
    expect(reasonOf(await redeem({ email, code }, open))).toBe("code_invalid");
  });
});
