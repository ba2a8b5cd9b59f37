import { describe, expect, it } from "vitest";
import { createAuthClient, GatehouseError, type ReauthPrompt } from "../src/index.js";
import { GOOD_PASSWORD, uniqueEmail } from "./support/gatehouse-server.js";
import { openBrowserProfile } from "./support/browser-profile.js";
import { disposedWithTest, useGatehouse } from "./support/test-lifetime.js";
import { totpCode } from "./support/totp.js";

const gatehouse = useGatehouse();

const browser = (options: { onReauthRequired?: ReauthPrompt } = {}) => openBrowserProfile(gatehouse(), options);

const STEP_UP_WINDOW_PASSED_MS = 10 * 60_000 + 1_000;

describe("the session hint (cookie mode)", () => {
  it("lets a signed-out page load learn there is no session without a refresh; with a session, restores with one", async () => {
    const first = browser();
    await expect(first.client.restore()).resolves.toBeNull();
    expect(first.wire.requests).toEqual([]);
    expect(first.events).toEqual([{ type: "initial", user: null }]);

    const email = uniqueEmail();
    await first.client.signup({ email, password: GOOD_PASSWORD });
    expect(first.jar.get("gh_session")).toBe("1");

    // A reload: a new client on the same cookies.
    const reloaded = disposedWithTest(
      createAuthClient({ url: gatehouse().trpcUrl, fetch: first.wire.fetch, sessionHint: () => first.jar.get("gh_session") === "1" }),
    );
    first.wire.reset();
    expect((await reloaded.restore())?.email).toBe(email);
    expect(first.wire.count("auth.refresh")).toBe(1);

    await reloaded.logout();
    expect(first.jar.get("gh_session")).toBeUndefined();
    const afterLogout = disposedWithTest(
      createAuthClient({ url: gatehouse().trpcUrl, fetch: first.wire.fetch, sessionHint: () => first.jar.get("gh_session") === "1" }),
    );
    first.wire.reset();
    expect(await afterLogout.restore()).toBeNull();
    expect(first.wire.requests).toEqual([]);
  });
});

describe("password reset", () => {
  it("mails a link whose token sets a new password; the old one stops working and the signed-in client learns its session ended", async () => {
    const email = uniqueEmail();
    const signedIn = browser();
    await signedIn.client.signup({ email, password: GOOD_PASSWORD });

    const page = browser();
    await page.client.requestPasswordReset({ email });
    const token = await gatehouse().linkToken(email, "/reset-password");
    await page.client.resetPassword({ token, password: "a brand new passphrase" });

    await expect(page.client.login({ email, password: GOOD_PASSWORD })).rejects.toMatchObject({ reason: "invalid_credentials" });
    await expect(page.client.login({ email, password: "a brand new passphrase" })).resolves.toMatchObject({ status: "signed-in" });

    // The reset ended every session of the account, the one a client here held included.
    await signedIn.client.resetPassword({ token: await requestAnotherReset(email), password: "yet another passphrase" });
    expect(signedIn.client.status).toBe("signed-out");
    expect(signedIn.events.at(-1)).toEqual({ type: "session-lost", reason: "refresh_invalid" });
  });

  it("answers the same for an unknown address, and refuses a used link with a GatehouseError", async () => {
    const { client } = browser();
    await expect(client.requestPasswordReset({ email: uniqueEmail("nobody") })).resolves.toBeUndefined();
    const email = uniqueEmail();
    await browser().client.signup({ email, password: GOOD_PASSWORD });
    const token = await requestAnotherReset(email);
    await client.resetPassword({ token, password: "a brand new passphrase" });
    const again = await client.resetPassword({ token, password: "another new passphrase" }).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(GatehouseError);
    expect(again).toMatchObject({ status: 401 });
    const weak = await client.requestPasswordReset({ email: "not an email" }).catch((error: unknown) => error);
    expect(weak).toMatchObject({ reason: "validation_failed", issues: [expect.objectContaining({ path: "email" })] });
  });
});

async function requestAnotherReset(email: string): Promise<string> {
  // Outbox files are named by the (fake) clock: a later mail needs a later time to sort last.
  gatehouse().clock.advance(1_000);
  await browser().client.requestPasswordReset({ email });
  return gatehouse().linkToken(email, "/reset-password");
}

describe("email verification", () => {
  it("mails a link; verifying it updates the signed-in client's user with a user-updated event", async () => {
    const { client, events } = browser();
    const email = uniqueEmail();
    await client.signup({ email, password: GOOD_PASSWORD });
    expect(client.user?.emailVerified).toBe(false);

    await client.requestEmailVerification();
    await client.verifyEmail({ token: await gatehouse().linkToken(email, "/verify-email") });
    expect(client.user?.emailVerified).toBe(true);
    expect(events.at(-1)).toEqual({ type: "user-updated", user: expect.objectContaining({ email, emailVerified: true }) });
  });

  it("works from a signed-out page too (the link opened in another browser), and refuses the link a second time", async () => {
    const email = uniqueEmail();
    const owner = browser();
    await owner.client.signup({ email, password: GOOD_PASSWORD });
    await owner.client.requestEmailVerification();
    const token = await gatehouse().linkToken(email, "/verify-email");

    const elsewhere = browser();
    await elsewhere.client.verifyEmail({ token });
    expect(elsewhere.events).toEqual([{ type: "initial", user: null }]);
    // A first confirmation from elsewhere ends the sessions set up before it (someone else may have made the account).
    await expect(owner.client.api.auth.me.query()).rejects.toThrow();
    expect(await owner.client.login({ email, password: GOOD_PASSWORD })).toMatchObject({ user: { emailVerified: true } });
    await expect(elsewhere.client.verifyEmail({ token })).rejects.toBeInstanceOf(GatehouseError);
  });
});

describe("password change and step-up", () => {
  it("changePassword keeps this session and ends the others", async () => {
    const email = uniqueEmail();
    const here = browser();
    await here.client.signup({ email, password: GOOD_PASSWORD });
    const elsewhere = browser();
    await elsewhere.client.login({ email, password: GOOD_PASSWORD });

    await here.client.changePassword({ currentPassword: GOOD_PASSWORD, newPassword: "a brand new passphrase" });
    await expect(here.client.sessions.list()).resolves.toHaveLength(1);
    await expect(elsewhere.client.refresh()).resolves.toBeNull();
    expect(elsewhere.events.at(-1)).toEqual({ type: "session-lost", reason: "refresh_invalid" });
    const wrong = await here.client.changePassword({ currentPassword: "not it at all", newPassword: "whatever passphrase" }).catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(GatehouseError);
  });

  it("reauthenticate adopts the token it answers: the step-up action then succeeds without a refresh", async () => {
    const { client, wire, events } = browser();
    await client.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    gatehouse().clock.advance(STEP_UP_WINDOW_PASSED_MS);
    const before = client.authHeaders().Authorization;

    await expect(client.mfa.setupTotp()).rejects.toMatchObject({ reason: "reauth_required", status: 403 });
    wire.reset();
    const user = await client.reauthenticate({ password: GOOD_PASSWORD });
    expect(user.id).toBe(client.user?.id);
    expect(client.authHeaders().Authorization).not.toBe(before);
    expect(events.at(-1)).toEqual({ type: "refreshed", user });
    await expect(client.mfa.setupTotp()).resolves.toMatchObject({ secret: expect.any(String) });
    expect(wire.requests.map((request) => request.procedure)).toEqual(["auth.reauthenticate", "mfa.setupTotp"]);
    await expect(client.reauthenticate({ password: "not my password" })).rejects.toMatchObject({ reason: "invalid_credentials" });
  });

  it("with onReauthRequired, a step-up method asks the app once, then retries", async () => {
    let prompts = 0;
    const profile = browser({
      onReauthRequired: async ({ reauthenticate }) => {
        prompts++;
        await reauthenticate({ password: GOOD_PASSWORD });
      },
    });
    await profile.client.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    gatehouse().clock.advance(STEP_UP_WINDOW_PASSED_MS);
    const created = await profile.client.apiKeys.create({ name: "deploys", scopes: ["profile:read"] });
    expect(created.key).toMatch(/^gth_/);
    expect(prompts).toBe(1);
    // Within the window now: no prompt.
    await profile.client.apiKeys.create({ name: "second", scopes: ["profile:read"] });
    expect(prompts).toBe(1);

    // A prompt that gives up (the person cancelled) leaves the action refused with its reauth_required.
    const refusing = browser({ onReauthRequired: () => Promise.reject(new Error("cancelled by the person")) });
    await refusing.client.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    gatehouse().clock.advance(STEP_UP_WINDOW_PASSED_MS);
    await expect(refusing.client.apiKeys.create({ name: "x", scopes: ["profile:read"] })).rejects.toMatchObject({ reason: "reauth_required" });
  });
});

describe("two-factor", () => {
  it("enable and disable update the user with user-updated; the code just used is refused as already used", async () => {
    const { client, events } = browser();
    await client.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    const { secret } = await client.mfa.setupTotp();
    const code = totpCode(secret, gatehouse().clock.now());
    const { recoveryCodes } = await client.mfa.enableTotp({ code });
    expect(recoveryCodes.length).toBeGreaterThanOrEqual(8);
    expect(client.user?.mfaEnabled).toBe(true);
    expect(events.at(-1)).toEqual({ type: "user-updated", user: expect.objectContaining({ mfaEnabled: true }) });

    const reused = await client.mfa.disableTotp({ code }).catch((error: unknown) => error);
    expect(reused).toBeInstanceOf(GatehouseError);
    expect(reused).toMatchObject({ reason: "mfa_invalid", message: expect.stringMatching(/already used/i) });

    gatehouse().clock.advance(30_000);
    await client.mfa.disableTotp({ code: totpCode(secret, gatehouse().clock.now()) });
    expect(client.user?.mfaEnabled).toBe(false);
    expect(events.at(-1)).toEqual({ type: "user-updated", user: expect.objectContaining({ mfaEnabled: false }) });
  });
});
