import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInAtIdp } from "../../auth/test/oauth/idp-login.js";
import { startLocalIdp, type LocalIdp } from "../../auth/test/oauth/local-idp.js";
import { createAuthClient, reasonOf, type AuthClient } from "../src/index.js";
import { GOOD_PASSWORD, startGatehouse, uniqueEmail, type GatehouseUnderTest } from "./support/gatehouse-server.js";

// The SDK's provider methods against a real OpenID Provider (oidc-provider, on loopback) and a real Gatehouse.
const APP_REDIRECT = "http://127.0.0.1:8765/oauth/callback";
let idp: LocalIdp;
let server: GatehouseUnderTest;
beforeAll(async () => {
  idp = await startLocalIdp([APP_REDIRECT]);
  server = await startGatehouse({
    oauthProviders: [{ id: "acme", name: "Acme ID", issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, redirectUris: [APP_REDIRECT] }],
  });
});
afterAll(async () => {
  await server.close();
  await idp.close();
});

let counter = 0;
const newLogin = () => `sdk-${Date.now()}-${counter++}`;

/** The system browser's part: the IdP's pages, until it redirects to the app with code and state. */
async function atProvider(authorizationUrl: string, login: string) {
  const landed = await signInAtIdp(authorizationUrl, login, APP_REDIRECT);
  return { code: landed.searchParams.get("code")!, state: landed.searchParams.get("state")! };
}

describe("provider methods of the SDK", () => {
  it("lists the providers and builds the browser flow's start URL next to the tRPC endpoint", async () => {
    const client = createAuthClient({ url: server.trpcUrl, mode: "token" });
    expect(await client.oauthProviders()).toEqual([{ id: "acme", name: "Acme ID" }]);
    expect(client.providerStartUrl("acme", { returnTo: "/settings" })).toBe(`${server.trpcUrl.replace(/\/trpc$/, "")}/oauth/acme/start?returnTo=%2Fsettings`);
    expect(client.providerMfaToken()).toBeNull();
    client.dispose();
  });

  it("signs an app in: oauthStart, the provider, oauthFinish; then lists, and refuses to unlink the only way in (asking for step-up once it is stale)", async () => {
    let prompts = 0;
    const client: AuthClient = createAuthClient({
      url: server.trpcUrl,
      mode: "token",
      onReauthRequired: async () => {
        prompts += 1;
        // An account a provider made has no password: its step-up is a fresh provider sign-in.
        const { authorizationUrl } = await client.oauthStart({ provider: "acme", redirectUri: APP_REDIRECT });
        await client.oauthFinish({ provider: "acme", ...(await atProvider(authorizationUrl, login)) });
      },
    });
    const login = newLogin();
    const { authorizationUrl } = await client.oauthStart({ provider: "acme", redirectUri: APP_REDIRECT });
    const finished = await client.oauthFinish({ provider: "acme", ...(await atProvider(authorizationUrl, login)) });
    expect(finished).toMatchObject({ status: "signed-in", user: { email: `${login}@idp.test`, emailVerified: true } });
    expect(client.user?.email).toBe(`${login}@idp.test`);
    expect(await client.accounts.list()).toEqual([{ provider: "acme", email: `${login}@idp.test`, linkedAt: expect.any(String) }]);
    // The only way in cannot be unlinked.
    await expect(client.accounts.unlink({ provider: "acme" })).rejects.toSatisfy((error) => reasonOf(error) === "forbidden");
    server.clock.advance(11 * 60_000);
    await expect(client.accounts.unlink({ provider: "acme" })).rejects.toSatisfy((error) => reasonOf(error) === "forbidden");
    expect(prompts).toBe(1);
    client.dispose();
  });

  it("links an identity from a signed-in app (accounts.linkStart with its redirect, oauthFinish answers linked)", async () => {
    const client = createAuthClient({ url: server.trpcUrl, mode: "token" });
    const email = uniqueEmail("linker");
    await client.signup({ email, password: GOOD_PASSWORD });
    const login = newLogin();
    const { authorizationUrl } = await client.accounts.linkStart({ provider: "acme", redirectUri: APP_REDIRECT });
    const linked = await client.oauthFinish({ provider: "acme", ...(await atProvider(authorizationUrl, login)) });
    expect(linked).toEqual({ status: "linked", account: { provider: "acme", email: `${login}@idp.test`, linkedAt: expect.any(String) } });
    expect(client.user?.email).toBe(email);
    await client.accounts.unlink({ provider: "acme" });
    expect(await client.accounts.list()).toEqual([]);
    client.dispose();
  });
});
