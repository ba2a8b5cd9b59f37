import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuthClient, GatehouseError, memoryStorage, type AuthEvent } from "../src/index.js";
import { GOOD_PASSWORD, startGatehouse, uniqueEmail, type GatehouseUnderTest } from "./support/gatehouse-server.js";
import { CookieJar, createRecordingFetch } from "./support/recording-fetch.js";
import { totpCode } from "./support/totp.js";

let server: GatehouseUnderTest;
beforeAll(async () => {
  server = await startGatehouse();
});
afterAll(() => server.close());

/** A user with TOTP turned on, set up through the SDK's typed proxy. */
async function userWithTotp() {
  const email = uniqueEmail();
  const setup = createAuthClient({ url: server.trpcUrl, mode: "token" });
  await setup.signup({ email, password: GOOD_PASSWORD });
  const { secret } = await setup.api.mfa.setupTotp.mutate();
  const { recoveryCodes } = await setup.api.mfa.enableTotp.mutate({ code: totpCode(secret, server.clock.now()) });
  await setup.logout();
  // The next code must come from a later time step: a code is accepted once.
  server.clock.advance(30_000);
  return { email, secret, recoveryCodes };
}

describe("login with two-factor", () => {
  it("answers mfa-required, then signs in with verifyMfa; the session survives a reload (cookie mode)", async () => {
    const { email, secret } = await userWithTotp();
    const jar = new CookieJar();
    const client = createAuthClient({ url: server.trpcUrl, fetch: createRecordingFetch(jar).fetch });
    const events: AuthEvent[] = [];
    client.subscribe((event) => events.push(event));

    const first = await client.login({ email, password: GOOD_PASSWORD });
    expect(first).toEqual({ status: "mfa-required", mfaToken: expect.any(String) });
    expect(client.user).toBeNull();
    expect(events).toEqual([{ type: "initial", user: null }]);
    expect(jar.get("refresh_token")).toBeUndefined();

    const mfaToken = (first as { mfaToken: string }).mfaToken;
    const wrong = await client.verifyMfa({ mfaToken, code: "000000" }).catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(GatehouseError);
    expect(wrong).toMatchObject({ reason: "mfa_invalid" });

    const second = await client.verifyMfa({ mfaToken, code: totpCode(secret, server.clock.now()) });
    expect(second).toEqual({ status: "signed-in", user: expect.objectContaining({ email, mfaEnabled: true }) });
    expect(events).toEqual([
      { type: "initial", user: null },
      { type: "signed-in", user: second.user },
    ]);
    expect((await client.api.auth.me.query()).user.email).toBe(email);

    const reloaded = createAuthClient({ url: server.trpcUrl, fetch: createRecordingFetch(jar).fetch });
    expect((await reloaded.restore())?.email).toBe(email);
    client.dispose();
    reloaded.dispose();
  });

  it("accepts a recovery code, and keeps the tokens in storage (token mode)", async () => {
    const { email, recoveryCodes } = await userWithTotp();
    const storage = memoryStorage();
    const client = createAuthClient({ url: server.trpcUrl, mode: "token", storage });
    const challenge = await client.login({ email, password: GOOD_PASSWORD });
    if (challenge.status !== "mfa-required") throw new Error("expected an MFA challenge");
    await client.verifyMfa({ mfaToken: challenge.mfaToken, code: recoveryCodes[0]! });
    expect(client.user?.email).toBe(email);
    expect(await storage.get("refreshToken")).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const restarted = createAuthClient({ url: server.trpcUrl, mode: "token", storage });
    expect((await restarted.restore())?.email).toBe(email);
    client.dispose();
    restarted.dispose();
  });
});
