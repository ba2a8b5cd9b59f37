import { describe, expect, it } from "vitest";
import { createAuthClient, GatehouseError, memoryStorage, type AuthClient, type ReauthPrompt } from "../src/index.js";
import { GOOD_PASSWORD, uniqueEmail } from "./support/gatehouse-server.js";
import { openBrowserProfile } from "./support/browser-profile.js";
import { createRecordingFetch } from "./support/recording-fetch.js";
import { disposedWithTest, useGatehouse } from "./support/test-lifetime.js";
import { totpCode } from "./support/totp.js";

const gatehouse = useGatehouse();

const browser = (options: { onReauthRequired?: ReauthPrompt } = {}) => openBrowserProfile(gatehouse(), options);

async function existingAccount(): Promise<string> {
  const email = uniqueEmail("code");
  await gatehouse().call("auth.signup", { email, password: GOOD_PASSWORD });
  return email;
}

/** Mails a code to `email` through `client` and reads it from the outbox. */
async function mailCode(client: AuthClient, email: string) {
  // Outbox files are named by the (fake) clock: a later mail needs a later time to sort last.
  gatehouse().clock.advance(1_000);
  await client.requestEmailCode({ email });
  return gatehouse().signInCode(email);
}

describe("email sign-in codes", () => {
  it("cookie mode: signs in with the mailed code, emits signed-in, and a reload restores the session", async () => {
    const email = await existingAccount();
    const page = browser();
    const { code } = await mailCode(page.client, email);
    const result = await page.client.loginWithEmailCode({ email, code });
    expect(result).toEqual({ status: "signed-in", user: expect.objectContaining({ email, emailVerified: true }) });
    expect(page.events.at(-1)).toEqual({ type: "signed-in", user: expect.objectContaining({ email }) });
    expect(page.jar.get("gh_session")).toBe("1");

    const reloaded = disposedWithTest(
      createAuthClient({ url: gatehouse().trpcUrl, fetch: page.wire.fetch, sessionHint: () => page.jar.get("gh_session") === "1" }),
    );
    expect((await reloaded.restore())?.email).toBe(email);
  });

  it("cookie mode: a browser that signed in before sends its device credential with the code, as with a password", async () => {
    const email = await existingAccount();
    const page = browser();
    await page.client.login({ email, password: GOOD_PASSWORD });
    const device = page.jar.get("device_token");
    expect(device).toMatch(/^[\w-]{43}$/);
    await page.client.logout();
    const { code } = await mailCode(page.client, email);
    await page.client.loginWithEmailCode({ email, code });
    const sent = page.wire.requests.filter((r) => r.procedure === "auth.loginWithEmailCode").at(-1);
    expect(sent?.headers.get("cookie")).toContain(`device_token=${device}`);
  });

  it("token mode: signs in with the link's token, keeps the refresh token and the device credential, and sends it next time", async () => {
    const email = await existingAccount();
    const storage = memoryStorage();
    const wire = createRecordingFetch();
    const app = disposedWithTest(createAuthClient({ url: gatehouse().trpcUrl, mode: "token", storage, fetch: wire.fetch }));
    const { token } = await mailCode(app, email);
    await expect(app.loginWithEmailCode({ token })).resolves.toMatchObject({ status: "signed-in", user: { email } });
    expect(await storage.get("refreshToken")).toEqual(expect.any(String));
    const deviceToken = await storage.get("deviceToken");
    expect(deviceToken).toEqual(expect.any(String));

    const { code } = await mailCode(app, email);
    await app.loginWithEmailCode({ email, code });
    expect(wire.requests.filter((r) => r.procedure === "auth.loginWithEmailCode").at(-1)?.body).toEqual({ email, code, deviceToken });
  });

  it("answers mfa-required when two-factor is on; verifyMfa finishes", async () => {
    const email = await existingAccount();
    const owner = browser();
    await owner.client.login({ email, password: GOOD_PASSWORD });
    // Confirmed first: on an address never confirmed, the first code would take the account back, second factor and all.
    await owner.client.requestEmailVerification();
    await owner.client.verifyEmail({ token: await gatehouse().linkToken(email, "/verify-email") });
    const { secret } = await owner.client.mfa.setupTotp();
    await owner.client.mfa.enableTotp({ code: totpCode(secret, gatehouse().clock.now()) });
    gatehouse().clock.advance(30_000);

    const page = browser();
    const { code } = await mailCode(page.client, email);
    const first = await page.client.loginWithEmailCode({ email, code });
    expect(first).toEqual({ status: "mfa-required", mfaToken: expect.any(String) });
    expect(page.client.status).toBe("signed-out");
    if (first.status !== "mfa-required") return;
    await expect(page.client.verifyMfa({ mfaToken: first.mfaToken, code: totpCode(secret, gatehouse().clock.now()) })).resolves.toMatchObject({
      status: "signed-in",
    });
  });

  it("rejects a wrong code with a GatehouseError (code_invalid, 401); a request for an unknown address resolves the same", async () => {
    const email = await existingAccount();
    const page = browser();
    const { code } = await mailCode(page.client, email);
    const wrong = await page.client.loginWithEmailCode({ email, code: code === "000000" ? "000001" : "000000" }).catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(GatehouseError);
    expect(wrong).toMatchObject({ reason: "code_invalid", status: 401 });
    await expect(page.client.requestEmailCode({ email: uniqueEmail("nobody") })).resolves.toBeUndefined();
  });
});

describe("passkeys from the SDK", () => {
  it("lists none at first; removing needs a recent password and asks the app's prompt, then tries once more", async () => {
    let prompted = 0;
    const page = browser({
      onReauthRequired: async ({ reauthenticate }) => {
        prompted += 1;
        await reauthenticate({ password: GOOD_PASSWORD });
      },
    });
    await page.client.signup({ email: uniqueEmail("passkeys"), password: GOOD_PASSWORD });
    await expect(page.client.listPasskeys()).resolves.toEqual([]);
    gatehouse().clock.advance(10 * 60_000 + 1_000);
    await expect(page.client.removePasskey({ id: "no-such-passkey" })).rejects.toMatchObject({ reason: "not_found" });
    expect(prompted).toBe(1);
  });

  it("in a runtime without WebAuthn, signInWithPasskey rejects before anything signs in", async () => {
    const page = browser();
    await expect(page.client.signInWithPasskey()).rejects.toThrow(/WebAuthn is not supported/);
    expect(page.wire.requests.map((r) => r.procedure)).not.toContain("auth.loginWithPasskey");
    expect(page.client.status).toBe("signed-out");
  });
});
