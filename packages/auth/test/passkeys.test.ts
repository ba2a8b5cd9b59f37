import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { dataOf, GOOD_PASSWORD, reasonOf, signedInOf, startServer, uniqueEmail, type StartOptions, type TestServer } from "./harness.js";
import { chromiumMissing, launchChromium } from "./support/chromium.js";
import { openAuthenticatorTab, serveAppOrigin, type AssertionJSON, type AuthenticatorOptions, type AuthenticatorTab } from "./virtual-authenticator.js";

const STEP_UP_WINDOW_PASSED_MS = 10 * 60_000 + 1_000;

let browser: Browser;
let app: Awaited<ReturnType<typeof serveAppOrigin>>;
let server: TestServer;
const tabs: AuthenticatorTab[] = [];
const servers: TestServer[] = [];

beforeAll(async () => {
  if (chromiumMissing) return;
  app = await serveAppOrigin();
  browser = await launchChromium();
  server = await startServer({ appUrl: app.origin });
}, 60_000);

afterAll(async () => {
  for (const s of servers) await s.close();
  await server?.close();
  await browser?.close();
  await app?.close();
});

afterEach(async () => {
  for (const tab of tabs.splice(0)) await tab.close();
});

async function extraServer(options: StartOptions): Promise<TestServer> {
  const started = await startServer({ appUrl: app.origin, ...options });
  servers.push(started);
  return started;
}

async function authenticator(options: AuthenticatorOptions & { origin?: string } = {}): Promise<AuthenticatorTab> {
  const tab = await openAuthenticatorTab(browser, options.origin ?? app.origin, options);
  tabs.push(tab);
  return tab;
}

interface Account {
  email: string;
  id: string;
  accessToken: string;
}

async function account(target = server): Promise<Account> {
  const email = uniqueEmail("passkey");
  const data = dataOf(await target.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
  return { email, id: data.user.id, accessToken: data.accessToken };
}

/** Registers a passkey for `owner` on `tab`'s authenticator; its list entry and credential id. */
async function addPasskey(owner: Account, tab: AuthenticatorTab, target = server, name?: string) {
  const { challengeId, options } = dataOf(await target.call("passkeys.registrationOptions", undefined, { bearer: owner.accessToken }));
  const response = await tab.create(options);
  const added = await target.call("passkeys.register", { challengeId, response, ...(name ? { name } : {}) }, { bearer: owner.accessToken });
  expect(added.status, added.text).toBe(200);
  return { ...(dataOf(added) as { id: string; name: string; createdAt: string }), credentialId: response.id as string };
}

async function options(email?: string, target = server) {
  const answer = await target.call("auth.passkeyOptions", email ? { email } : {});
  expect(answer.status, answer.text).toBe(200);
  return dataOf(answer) as { challengeId: string; options: { challenge: string; rpId: string; allowCredentials?: Array<{ id: string }> } };
}

const signIn = (challengeId: string, response: AssertionJSON, target = server) =>
  target.call("auth.loginWithPasskey", { challengeId, response }, { mode: "token" });

describe.skipIf(chromiumMissing)("passkeys in Chromium's virtual authenticator", () => {
  it("registers a passkey (RP id and origin from APP_URL) and signs in with it, with and without the email", async () => {
    const alice = await account();
    const tab = await authenticator();
    const { challengeId, options: creation } = dataOf(await server.call("passkeys.registrationOptions", undefined, { bearer: alice.accessToken }));
    expect(creation.rp).toEqual({ id: "localhost", name: "localhost" });
    expect(creation.authenticatorSelection).toMatchObject({ residentKey: "required", userVerification: "preferred" });
    expect(creation.user.name).toBe(alice.email);
    // The user handle is the account's random id, nothing personal.
    expect(Buffer.from(creation.user.id, "base64url").toString()).toBe(alice.id);
    const response = await tab.create(creation);
    const added = await server.call("passkeys.register", { challengeId, response, name: "Laptop" }, { bearer: alice.accessToken });
    expect(dataOf(added)).toEqual({ id: expect.any(String), name: "Laptop", createdAt: expect.any(String) });

    const withEmail = await options(alice.email);
    expect(withEmail.options.rpId).toBe("localhost");
    expect(withEmail.options.allowCredentials?.map((c) => c.id)).toEqual([response.id]);
    const first = await signIn(withEmail.challengeId, await tab.get(withEmail.options));
    expect(first.status, first.text).toBe(200);
    expect(dataOf(first)).toMatchObject({ tokenType: "Bearer", user: { id: alice.id }, refreshToken: expect.any(String), deviceToken: expect.any(String) });

    const discoverable = await options();
    expect(discoverable.options.allowCredentials ?? []).toEqual([]);
    const second = await signIn(discoverable.challengeId, await tab.get(discoverable.options));
    expect(second.status, second.text).toBe(200);
    expect(dataOf(second).user.id).toBe(alice.id);

    const me = await server.call("auth.me", undefined, { query: true, bearer: dataOf(second).accessToken });
    expect(dataOf(me).user.id).toBe(alice.id);
    const listed = dataOf(await server.call("passkeys.list", undefined, { query: true, bearer: alice.accessToken }));
    expect(listed).toEqual([{ id: dataOf(added).id, name: "Laptop", createdAt: expect.any(String), lastUsedAt: expect.any(String) }]);
    const events = server.logLines();
    expect(events.filter((l) => l.event === "login_success" && l.userId === alice.id && l.method === "passkey")).toHaveLength(2);
    expect(events.some((l) => l.event === "passkey_added" && l.userId === alice.id)).toBe(true);
  });

  it("refuses a replayed assertion: its challenge is used up, and a fresh challenge is not the one it signed", async () => {
    const alice = await account();
    const tab = await authenticator();
    await addPasskey(alice, tab);
    const { challengeId, options: request } = await options(alice.email);
    const assertion = await tab.get(request);
    expect((await signIn(challengeId, assertion)).status).toBe(200);
    const replayed = await signIn(challengeId, assertion);
    expect(replayed.status).toBe(401);
    expect(reasonOf(replayed)).toBe("passkey_invalid");
    // Refused for its challenge, before the signature counter would have refused it too.
    expect(
      server
        .logLines()
        .filter((l) => l.event === "login_failed")
        .at(-1),
    ).toMatchObject({ reason: "passkey_challenge_unknown" });
    const fresh = await options(alice.email);
    expect(reasonOf(await signIn(fresh.challengeId, assertion))).toBe("passkey_invalid");
  });

  it("refuses an assertion of another challenge (wrong challenge), and burns the challenge it was sent with", async () => {
    const alice = await account();
    const tab = await authenticator();
    await addPasskey(alice, tab);
    const signed = await options(alice.email);
    const other = await options(alice.email);
    const assertion = await tab.get(signed.options);
    expect(reasonOf(await signIn(other.challengeId, assertion))).toBe("passkey_invalid");
    expect(reasonOf(await signIn(other.challengeId, await tab.get(other.options)))).toBe("passkey_invalid");
    expect(server.logLines().some((l) => l.event === "login_failed" && l.userId === alice.id && l.reason === "passkey_assertion_rejected")).toBe(true);
  });

  it("refuses an assertion made on another origin (same RP id, another port), and a registration made there", async () => {
    const alice = await account();
    const elsewhere = await serveAppOrigin();
    try {
      const tab = await authenticator();
      await addPasskey(alice, tab);
      await tab.page.goto(elsewhere.origin);
      const { challengeId, options: request } = await options(alice.email);
      expect(reasonOf(await signIn(challengeId, await tab.get(request)))).toBe("passkey_invalid");

      const { challengeId: registration, options: creation } = dataOf(
        await server.call("passkeys.registrationOptions", undefined, { bearer: alice.accessToken }),
      );
      const foreign = await (await authenticator({ origin: elsewhere.origin })).create(creation);
      expect(reasonOf(await server.call("passkeys.register", { challengeId: registration, response: foreign }, { bearer: alice.accessToken }))).toBe(
        "passkey_invalid",
      );
      expect(dataOf(await server.call("passkeys.list", undefined, { query: true, bearer: alice.accessToken }))).toHaveLength(1);
    } finally {
      await elsewhere.close();
    }
  });

  it("refuses a removed credential; removing needs a recent password and only finds the caller's own", async () => {
    const alice = await account();
    const bob = await account();
    const tab = await authenticator();
    const passkey = await addPasskey(alice, tab);
    expect(reasonOf(await server.call("passkeys.remove", { id: passkey.id }, { bearer: bob.accessToken }))).toBe("not_found");
    server.clock.advance(STEP_UP_WINDOW_PASSED_MS);
    expect(reasonOf(await server.call("passkeys.remove", { id: passkey.id }, { bearer: alice.accessToken }))).toBe("reauth_required");
    const renewed = dataOf(await server.call("auth.reauthenticate", { password: GOOD_PASSWORD }, { bearer: alice.accessToken })).accessToken;
    expect(dataOf(await server.call("passkeys.remove", { id: passkey.id }, { bearer: renewed }))).toEqual({ ok: true });
    expect(dataOf(await server.call("passkeys.list", undefined, { query: true, bearer: renewed }))).toEqual([]);
    // The credential-id index lets it go too, so the credential could be registered again.
    expect(await server.store.get(`passkey:cred:${createHash("sha256").update(passkey.credentialId).digest("hex")}`)).toBeUndefined();
    const { challengeId, options: request } = await options();
    expect(reasonOf(await signIn(challengeId, await tab.get(request)))).toBe("passkey_invalid");
    expect(
      server
        .logLines()
        .filter((l) => l.event === "login_failed")
        .at(-1),
    ).toMatchObject({ reason: "passkey_unknown" });
    expect(server.logLines().some((l) => l.event === "passkey_removed" && l.userId === alice.id)).toBe(true);
  });

  it("refuses a signature counter that goes backwards (a cloned authenticator) and says so in a warning", async () => {
    const alice = await account();
    const tab = await authenticator();
    const { credentialId } = await addPasskey(alice, tab);
    await tab.setSignCount(credentialId, 10);
    const ahead = await options();
    expect((await signIn(ahead.challengeId, await tab.get(ahead.options))).status).toBe(200);
    await tab.setSignCount(credentialId, 4);
    const behind = await options();
    expect(reasonOf(await signIn(behind.challengeId, await tab.get(behind.options)))).toBe("passkey_invalid");
    expect(server.logLines().some((l) => l.event === "passkey_counter_regressed" && l.userId === alice.id && l.level === "warn")).toBe(true);
    // The authenticator moving forward again from where it was accepted works.
    await tab.setSignCount(credentialId, 11);
    const onward = await options();
    expect((await signIn(onward.challengeId, await tab.get(onward.options))).status).toBe(200);
  });

  it("expires a sign-in challenge after 5 minutes", async () => {
    const alice = await account();
    const tab = await authenticator();
    await addPasskey(alice, tab);
    const { challengeId, options: request } = await options(alice.email);
    const assertion = await tab.get(request);
    server.clock.advance(5 * 60_000 + 1_000);
    expect(reasonOf(await signIn(challengeId, assertion))).toBe("passkey_invalid");
  });

  it("binds a sign-in challenge to the email it was made for: another account's passkey does not answer it", async () => {
    const [alice, bob] = [await account(), await account()];
    const tab = await authenticator();
    await addPasskey(bob, tab);
    const { challengeId, options: request } = await options(alice.email);
    // A browser honours allowCredentials; an attacker's client may not: ask for any credential, answer Alice's challenge.
    const bobs = await tab.get({ ...request, allowCredentials: [] });
    expect(reasonOf(await signIn(challengeId, bobs))).toBe("passkey_invalid");
  });

  it("binds a registration challenge to the session that asked for it", async () => {
    const alice = await account();
    const otherSession = signedInOf(await server.call("auth.login", { email: alice.email, password: GOOD_PASSWORD }, { mode: "token" })).accessToken;
    const tab = await authenticator();
    const { challengeId, options: creation } = dataOf(await server.call("passkeys.registrationOptions", undefined, { bearer: alice.accessToken }));
    const response = await tab.create(creation);
    expect(reasonOf(await server.call("passkeys.register", { challengeId, response }, { bearer: otherSession }))).toBe("passkey_invalid");
    // …and is used up by that attempt.
    expect(reasonOf(await server.call("passkeys.register", { challengeId, response }, { bearer: alice.accessToken }))).toBe("passkey_invalid");
  });

  it("needs a recent password to start or finish adding a passkey", async () => {
    const alice = await account();
    const tab = await authenticator();
    const { challengeId, options: creation } = dataOf(await server.call("passkeys.registrationOptions", undefined, { bearer: alice.accessToken }));
    const response = await tab.create(creation);
    server.clock.advance(STEP_UP_WINDOW_PASSED_MS);
    expect(reasonOf(await server.call("passkeys.registrationOptions", undefined, { bearer: alice.accessToken }))).toBe("reauth_required");
    expect(reasonOf(await server.call("passkeys.register", { challengeId, response }, { bearer: alice.accessToken }))).toBe("reauth_required");
  });

  it("does not let one authenticator register a second passkey for the same account", async () => {
    const alice = await account();
    const tab = await authenticator();
    await addPasskey(alice, tab);
    const { options: creation } = dataOf(await server.call("passkeys.registrationOptions", undefined, { bearer: alice.accessToken }));
    expect(creation.excludeCredentials).toHaveLength(1);
    // The authenticator refuses to make a second credential for an account it already holds one of.
    await expect(tab.create(creation)).rejects.toThrow(/InvalidStateError|excluded|already/i);
  });

  it("renames a passkey (no step-up) and lists only the caller's own", async () => {
    const [alice, bob] = [await account(), await account()];
    const passkey = await addPasskey(alice, await authenticator());
    expect(reasonOf(await server.call("passkeys.rename", { id: passkey.id, name: "Stolen" }, { bearer: bob.accessToken }))).toBe("not_found");
    server.clock.advance(STEP_UP_WINDOW_PASSED_MS);
    const renamed = await server.call("passkeys.rename", { id: passkey.id, name: "  Phone " }, { bearer: alice.accessToken });
    expect(dataOf(renamed)).toMatchObject({ id: passkey.id, name: "Phone", lastUsedAt: null });
    expect(dataOf(await server.call("passkeys.list", undefined, { query: true, bearer: bob.accessToken }))).toEqual([]);
    expect(server.logLines().some((l) => l.event === "passkey_renamed" && l.userId === alice.id)).toBe(true);
  });

  it("writes the user's activity and the audit trail for adding, renaming, removing and signing in with a passkey", async () => {
    const alice = await account();
    const tab = await authenticator();
    const passkey = await addPasskey(alice, tab);
    await server.call("passkeys.rename", { id: passkey.id, name: "Phone" }, { bearer: alice.accessToken });
    const { challengeId, options: request } = await options();
    await signIn(challengeId, await tab.get(request));
    await server.call("passkeys.remove", { id: passkey.id }, { bearer: alice.accessToken });
    await server.services.events.drain();
    const activity = dataOf(await server.call("activity.list", { limit: 20 }, { query: true, bearer: alice.accessToken })).items.map(
      (i: { event: string }) => i.event,
    );
    expect(activity.slice(0, 4)).toEqual(["passkey_removed", "login_success", "passkey_renamed", "passkey_added"]);
    const audited = (await server.services.audit.page(undefined, 100)).items.filter((e) => e.target === alice.id).map((e) => e.action);
    expect(audited).toEqual(expect.arrayContaining(["passkey_added", "passkey_renamed", "passkey_removed", "login_success"]));
  });

  it("answers an address without passkeys, or without an account, with a stable made-up credential", async () => {
    const alice = await account();
    const ghost = uniqueEmail("ghost");
    const [forAlice, forGhost, forGhostAgain] = [await options(alice.email), await options(ghost), await options(ghost)];
    expect(forAlice.options.allowCredentials).toHaveLength(1);
    expect(forGhost.options.allowCredentials).toHaveLength(1);
    expect(forGhostAgain.options.allowCredentials).toEqual(forGhost.options.allowCredentials);
    expect(forAlice.options.allowCredentials).not.toEqual(forGhost.options.allowCredentials);
    expect(Object.keys(forAlice.options).sort()).toEqual(Object.keys(forGhost.options).sort());
  });

  it("a passkey is the whole sign-in: no TOTP step when two-factor is on", async () => {
    const alice = await account();
    const tab = await authenticator();
    await addPasskey(alice, tab);
    const { secret } = dataOf(await server.call("mfa.setupTotp", undefined, { bearer: alice.accessToken }));
    const totp = generateHOTP(decodeBase32IgnorePadding(secret), BigInt(Math.floor(server.clock.now() / 30_000)), 6);
    expect((await server.call("mfa.enableTotp", { code: totp }, { bearer: alice.accessToken })).status).toBe(200);
    const { challengeId, options: request } = await options();
    const signedIn = await signIn(challengeId, await tab.get(request));
    expect(dataOf(signedIn)).toMatchObject({ accessToken: expect.any(String), user: { id: alice.id, mfaEnabled: true } });
  });

  it("with two-factor on, refuses an assertion made without user verification (possession alone)", async () => {
    const alice = await account();
    const tab = await authenticator({ userVerification: false });
    await addPasskey(alice, tab);
    const before = await options(alice.email);
    expect((await signIn(before.challengeId, await tab.get(before.options))).status).toBe(200);
    const { secret } = dataOf(await server.call("mfa.setupTotp", undefined, { bearer: alice.accessToken }));
    await server.call(
      "mfa.enableTotp",
      { code: generateHOTP(decodeBase32IgnorePadding(secret), BigInt(Math.floor(server.clock.now() / 30_000)), 6) },
      { bearer: alice.accessToken },
    );
    const after = await options(alice.email);
    expect(reasonOf(await signIn(after.challengeId, await tab.get(after.options)))).toBe("passkey_invalid");
    expect(server.logLines().some((l) => l.event === "login_failed" && l.userId === alice.id && l.reason === "passkey_user_not_verified")).toBe(true);
  });
});

describe.skipIf(chromiumMissing)("a passkey sign-in obeys the rules of a password login", () => {
  it("answers account_disabled for a locked account and email_not_verified when verification is required", async () => {
    const strict = await extraServer({ requireVerifiedEmail: true });
    const alice = await account(strict);
    const tab = await authenticator();
    // Nothing but confirming the address is open to an unconfirmed one, adding a passkey included:
    // this passkey was added before verification became required.
    await strict.services.users.update(alice.id, (u) => ({ ...u, emailVerified: true }));
    await addPasskey(alice, tab, strict);
    await strict.services.users.update(alice.id, (u) => ({ ...u, emailVerified: false }));
    const unverified = await options(undefined, strict);
    expect(reasonOf(await signIn(unverified.challengeId, await tab.get(unverified.options), strict))).toBe("email_not_verified");
    await strict.services.users.update(alice.id, (u) => ({ ...u, emailVerified: true, disabledAt: strict.clock.now() }));
    const disabled = await options(undefined, strict);
    expect(reasonOf(await signIn(disabled.challengeId, await tab.get(disabled.options), strict))).toBe("account_disabled");
    const refusals = strict.logLines().filter((l) => l.event === "login_failed" && l.userId === alice.id && l.method === "passkey");
    expect(refusals.map((l) => l.reason)).toEqual(["email_not_verified", "account_disabled"]);
  });

  it("answers account_locked while the email is locked by failed logins, unless the device signed in before", async () => {
    const locking = await extraServer({ limits: { "login.lockout": { max: 3, windowSeconds: 900 } } });
    const alice = await account(locking);
    const tab = await authenticator();
    await addPasskey(alice, tab, locking);
    const known = await options(undefined, locking);
    const deviceToken = dataOf(await signIn(known.challengeId, await tab.get(known.options), locking)).deviceToken as string;
    for (let i = 0; i < 3; i += 1) await locking.call("auth.login", { email: alice.email, password: "wrong password" });
    const locked = await options(undefined, locking);
    const refused = await signIn(locked.challengeId, await tab.get(locked.options), locking);
    expect(reasonOf(refused)).toBe("account_locked");
    expect(refused.headers.get("retry-after")).toBe("900");
    const device = await options(undefined, locking);
    const owner = await locking.call(
      "auth.loginWithPasskey",
      { challengeId: device.challengeId, response: await tab.get(device.options), deviceToken },
      { mode: "token" },
    );
    expect(owner.status).toBe(200);
  });

  it("counts refused assertions of a known passkey toward the lockout, like wrong passwords", async () => {
    const locking = await extraServer({ limits: { "login.lockout": { max: 2, windowSeconds: 900 } } });
    const alice = await account(locking);
    const tab = await authenticator();
    await addPasskey(alice, tab, locking);
    for (let i = 0; i < 2; i += 1) {
      const [signed, other] = [await options(undefined, locking), await options(undefined, locking)];
      expect(reasonOf(await signIn(other.challengeId, await tab.get(signed.options), locking))).toBe("passkey_invalid");
    }
    const right = await options(undefined, locking);
    expect(reasonOf(await signIn(right.challengeId, await tab.get(right.options), locking))).toBe("account_locked");
    expect(locking.logLines().some((l) => l.event === "login_locked" && l.userId === alice.id)).toBe(true);
  });

  it("counts each assertion before verifying it: of 20 refused ones sent at once, at most login.lockout MAX are verified", async () => {
    // On SQLite, whose writes are real I/O, the calls overlap as on a busy server.
    const storeUrl = `sqlite://${join(mkdtempSync(join(tmpdir(), "gatehouse-passkeys-")), "auth.db")}`;
    const locking = await extraServer({ storeUrl, limits: { "login.lockout": { max: 5, windowSeconds: 900 } } });
    const alice = await account(locking);
    const tab = await authenticator();
    await addPasskey(alice, tab, locking);
    const swapped = [];
    for (let i = 0; i < 20; i += 1) {
      const [signed, other] = [await options(undefined, locking), await options(undefined, locking)];
      swapped.push({ challengeId: other.challengeId, response: await tab.get(signed.options) });
    }
    const results = await Promise.all(swapped.map(({ challengeId, response }) => signIn(challengeId, response, locking)));
    expect(results.filter((r) => reasonOf(r) === "passkey_invalid")).toHaveLength(5);
    expect(results.filter((r) => reasonOf(r) === "account_locked")).toHaveLength(15);
  });

  it("counts loginWithPasskey against login.ip", async () => {
    const limited = await extraServer({ limits: { "login.ip": { max: 2, windowSeconds: 60 } } });
    const ghost = await options(undefined, limited);
    const junk = {
      challengeId: ghost.challengeId,
      response: {
        id: "AAAA",
        rawId: "AAAA",
        type: "public-key",
        response: { clientDataJSON: "", authenticatorData: "", signature: "" },
        clientExtensionResults: {},
      },
    };
    for (let i = 0; i < 2; i += 1) expect(reasonOf(await limited.send("auth.loginWithPasskey", junk))).toBe("passkey_invalid");
    const refused = await limited.send("auth.loginWithPasskey", junk);
    expect(reasonOf(refused)).toBe("rate_limited");
    expect(refused.headers.get("ratelimit-policy")).toBe('"login.ip";q=2;w=60');
  });

  it("keeps challenges, keys and assertions out of every log line", async () => {
    const alice = await account();
    const tab = await authenticator();
    await addPasskey(alice, tab);
    const { challengeId, options: request } = await options(alice.email);
    const assertion = await tab.get(request);
    await signIn(challengeId, assertion);
    const log = JSON.stringify(server.logLines());
    for (const secret of [challengeId, request.challenge, assertion.response.signature, assertion.response.clientDataJSON]) expect(log).not.toContain(secret);
    expect(log).not.toContain(alice.email);
  });
});
