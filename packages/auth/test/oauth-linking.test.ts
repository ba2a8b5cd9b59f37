import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { describe, expect, it } from "vitest";
import { challengeOf, dataOf, GOOD_PASSWORD, reasonOf, signedInOf, wireErrorOf, type CallResult } from "./harness.js";
import { APP_REDIRECT, newLogin, PROVIDER, useOAuthTestbed } from "./oauth/oauth-server.js";
import { createPasskeyStore } from "../src/features/passkeys/passkey-store.js";

// Linking rules against a real OpenID Provider (oidc-provider) on loopback.
const bed = useOAuthTestbed();

async function passwordAccount(email: string, verified: boolean) {
  const signup = await bed().server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" });
  const { user, accessToken } = dataOf(signup);
  if (verified) await bed().server.services.users.update(user.id, (u) => ({ ...u, emailVerified: true }));
  return { userId: user.id as string, accessToken: accessToken as string };
}

/** accounts.linkStart with the app's redirect, then the IdP as `login`, then auth.oauthFinish with the account's token. */
async function link(accessToken: string, login: string) {
  const started = await bed().server.call("accounts.linkStart", { provider: PROVIDER, redirectUri: APP_REDIRECT }, { mode: "token", bearer: accessToken });
  if (started.status !== 200) return started as CallResult<never>;
  return bed().finish(await bed().codeFor(login, dataOf(started)), accessToken);
}

const codeAt = (secret: string, ms: number) => generateHOTP(decodeBase32IgnorePadding(secret), BigInt(Math.floor(ms / 30_000)), 6);

describe("linking a provider identity to an account", () => {
  it("links automatically when the provider and the account both say the address is verified", async () => {
    const login = newLogin("auto");
    const account = await passwordAccount(`${login}@idp.test`, true);
    const signedIn = await bed().signIn(login);
    expect(signedIn.status).toBe(200);
    expect(signedInOf(signedIn).user.id).toBe(account.userId);
    const listed = await bed().server.call("accounts.list", undefined, { query: true, bearer: account.accessToken });
    expect(dataOf(listed).map((a: { provider: string }) => a.provider)).toEqual([PROVIDER]);
    expect(
      bed()
        .server.logLines()
        .some((l) => l.event === "account_linked" && l.userId === account.userId && l.how === "verified_email"),
    ).toBe(true);
  });

  it("answers link_required when the account's address is not verified, and links nothing", async () => {
    const login = newLogin("unverified-account");
    const account = await passwordAccount(`${login}@idp.test`, false);
    const refused = await bed().signIn(login);
    expect(refused.status).toBe(409);
    expect(reasonOf(refused)).toBe("link_required");
    expect(dataOf(await bed().server.call("accounts.list", undefined, { query: true, bearer: account.accessToken }))).toEqual([]);
  });

  it("answers link_required when the provider does not vouch for the address (email_verified false)", async () => {
    const login = newLogin("unverified-idp");
    bed().idp.people.set(login, { email_verified: false });
    await passwordAccount(`${login}@idp.test`, true);
    expect(reasonOf(await bed().signIn(login))).toBe("link_required");
  });

  it("makes a new, unverified account for a new address the provider did not verify", async () => {
    const login = newLogin("new-unverified");
    bed().idp.people.set(login, { email_verified: false, name: "Ada Lovelace" });
    const signedIn = await bed().signIn(login);
    expect(signedInOf(signedIn).user).toMatchObject({ email: `${login}@idp.test`, emailVerified: false, name: "Ada Lovelace" });
  });

  it("links on request from a signed-in account (step-up), after which the identity signs in to it", async () => {
    const login = newLogin("requested");
    const account = await passwordAccount(`${login}@idp.test`, false);
    const linked = await link(account.accessToken, login);
    expect(linked.status).toBe(200);
    expect(dataOf(linked)).toEqual({ linked: true, account: { provider: PROVIDER, email: `${login}@idp.test`, linkedAt: expect.any(String) } });
    const signedIn = await bed().signIn(login);
    expect(signedInOf(signedIn).user.id).toBe(account.userId);
  });

  it("needs a recent password to start linking, and the account that started it to finish", async () => {
    const login = newLogin("stale");
    const account = await passwordAccount(`${login}@idp.test`, true);
    const intruder = await passwordAccount(`${newLogin("intruder")}@example.com`, true);
    const started = await bed().server.call(
      "accounts.linkStart",
      { provider: PROVIDER, redirectUri: APP_REDIRECT },
      { mode: "token", bearer: account.accessToken },
    );
    const response = await bed().codeFor(login, dataOf(started));
    expect(reasonOf(await bed().finish(response, intruder.accessToken))).toBe("forbidden");
    bed().server.clock.advance(11 * 60_000);
    const later = await bed().server.call(
      "accounts.linkStart",
      { provider: PROVIDER, redirectUri: APP_REDIRECT },
      { mode: "token", bearer: account.accessToken },
    );
    expect(reasonOf(later)).toBe("reauth_required");
  });

  it("refuses to link an identity another account holds", async () => {
    const login = newLogin("held");
    const holder = await bed().signIn(login);
    expect(holder.status).toBe(200);
    const other = await passwordAccount(`${newLogin("other")}@example.com`, true);
    expect(reasonOf(await link(other.accessToken, login))).toBe("forbidden");
  });
});

describe("unlinking", () => {
  it("unlinks from an account that keeps its password (step-up), after which the identity makes a new account", async () => {
    const login = newLogin("unlink");
    const account = await passwordAccount(`${login}-own@example.com`, true);
    expect((await link(account.accessToken, login)).status).toBe(200);
    const unlinked = await bed().server.call("accounts.unlink", { provider: PROVIDER }, { bearer: account.accessToken });
    expect(dataOf(unlinked)).toEqual({ ok: true });
    expect(dataOf(await bed().server.call("accounts.list", undefined, { query: true, bearer: account.accessToken }))).toEqual([]);
    expect(reasonOf(await bed().server.call("accounts.unlink", { provider: PROVIDER }, { bearer: account.accessToken }))).toBe("not_found");
    const signedIn = await bed().signIn(login);
    expect(signedInOf(signedIn).user.id).not.toBe(account.userId);
  });

  it("refuses (forbidden) to unlink the only way into an account a provider made, until a password reset gives it a password", async () => {
    const login = newLogin("only-way");
    const { accessToken, user } = signedInOf(await bed().signIn(login));
    const refused = await bed().server.call("accounts.unlink", { provider: PROVIDER }, { bearer: accessToken });
    expect(refused.status).toBe(403);
    expect(reasonOf(refused)).toBe("forbidden");
    expect(wireErrorOf(refused).message).toMatch(/password reset/);

    await bed().server.call("auth.requestPasswordReset", { email: user.email });
    const mail = (await bed().server.outbox()).find((m) => m.to === user.email && /reset/i.test(m.subject))!;
    const token = /token=([^\s"&]+)/.exec(mail.text)![1]!;
    expect((await bed().server.call("auth.resetPassword", { token: decodeURIComponent(token), password: GOOD_PASSWORD })).status).toBe(200);
    // The reset ended every session: sign in again (with the provider, a fresh sign-in counts as step-up).
    const again = signedInOf(await bed().signIn(login));
    expect((await bed().server.call("accounts.unlink", { provider: PROVIDER }, { bearer: again.accessToken })).status).toBe(200);
    expect((await bed().server.call("auth.login", { email: user.email, password: GOOD_PASSWORD }, { mode: "token" })).status).toBe(200);
  });

  it("lets an account a provider made unlink it once the account has a passkey, which signs in on its own", async () => {
    const login = newLogin("passkey-way");
    const { accessToken, user } = signedInOf(await bed().signIn(login));
    expect(reasonOf(await bed().server.call("accounts.unlink", { provider: PROVIDER }, { bearer: accessToken }))).toBe("forbidden");
    // A registered credential, as passkeys.registerFinish stores it (the ceremony itself is tested in Chromium).
    const now = bed().server.clock.now();
    const passkey = {
      id: "pk-1",
      credentialId: `cred-${login}`,
      publicKey: "AQID",
      counter: 0,
      transports: ["internal"],
      multiDevice: true,
      backedUp: true,
      name: "Laptop",
      createdAt: now,
      lastUsedAt: null,
    };
    expect(await createPasskeyStore(bed().server.store).add(user.id, passkey)).toBe("added");
    expect(dataOf(await bed().server.call("accounts.unlink", { provider: PROVIDER }, { bearer: accessToken }))).toEqual({ ok: true });
  });

  it("a first proof of the mailbox unlinks identities linked while the address was unproven", async () => {
    const login = newLogin("squatter");
    const victimEmail = `${newLogin("victim")}@example.com`;
    // Someone signs up with an address that is not theirs and links their own provider identity.
    const squatter = await passwordAccount(victimEmail, false);
    expect((await link(squatter.accessToken, login)).status).toBe(200);
    // The owner of the mailbox resets the password.
    await bed().server.call("auth.requestPasswordReset", { email: victimEmail });
    const mail = (await bed().server.outbox()).find((m) => m.to === victimEmail && /reset/i.test(m.subject))!;
    const token = decodeURIComponent(/token=([^\s"&]+)/.exec(mail.text)![1]!);
    expect((await bed().server.call("auth.resetPassword", { token, password: GOOD_PASSWORD })).status).toBe(200);
    // The squatter's identity no longer signs in to the owner's account.
    const signedIn = await bed().signIn(login);
    expect(signedInOf(signedIn).user.id).not.toBe(squatter.userId);
  });
});

describe("a provider sign-in obeys the password sign-in's rules", () => {
  it("still asks for the TOTP code when two-factor is on", async () => {
    const login = newLogin("totp");
    const { accessToken } = signedInOf(await bed().signIn(login));
    const { secret } = dataOf(await bed().server.call("mfa.setupTotp", undefined, { bearer: accessToken }));
    expect((await bed().server.call("mfa.enableTotp", { code: codeAt(secret, bed().server.clock.now()) }, { bearer: accessToken })).status).toBe(200);
    bed().server.clock.advance(30_000);
    const challenged = await bed().signIn(login);
    expect(Object.keys(dataOf(challenged)).sort()).toEqual(["mfaRequired", "mfaToken"]);
    const verified = await bed().server.call(
      "auth.verifyMfa",
      { mfaToken: challengeOf(challenged).mfaToken, code: codeAt(secret, bed().server.clock.now()) },
      { mode: "token" },
    );
    expect(verified.status).toBe(200);
  });

  it("refuses a disabled account (account_disabled)", async () => {
    const login = newLogin("disabled");
    const { user } = signedInOf(await bed().signIn(login));
    await bed().server.services.users.update(user.id, (u) => ({ ...u, disabledAt: bed().server.clock.now() }));
    expect(reasonOf(await bed().signIn(login))).toBe("account_disabled");
  });

  it("refuses an account whose email is locked by failed passwords (account_locked)", async () => {
    const login = newLogin("locked");
    const { user } = signedInOf(await bed().signIn(login));
    for (let i = 0; i < 10; i += 1) await bed().server.call("auth.login", { email: user.email, password: `wrong password ${i}` }, { mode: "token" });
    const refused = await bed().signIn(login);
    expect(reasonOf(refused)).toBe("account_locked");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
