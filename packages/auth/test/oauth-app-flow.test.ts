import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reasonOf } from "./harness.js";
import { APP_REDIRECT, PROVIDER, startOAuthTestbed, type OAuthTestbed } from "./oauth/oauth-server.js";

// Against a real OpenID Provider (oidc-provider) on loopback: discovery, its login pages, its codes and ID tokens.
let bed: OAuthTestbed;
beforeAll(async () => {
  bed = await startOAuthTestbed();
});
afterAll(() => bed.close());

let counter = 0;
const newLogin = (label: string) => `${label}-${Date.now()}-${counter++}`;

describe("provider sign-in, app flow (auth.oauthStart → provider → auth.oauthFinish)", () => {
  it("lists the configured providers", async () => {
    const listed = await bed.server.call("auth.oauthProviders", undefined, { query: true });
    expect(listed.body.result.data).toEqual([{ id: PROVIDER, name: "Acme ID" }]);
  });

  it("sends the person to the provider with state, nonce and a PKCE S256 challenge, and never the verifier", async () => {
    const { authorizationUrl, state } = await bed.start();
    const url = new URL(authorizationUrl);
    expect(url.origin).toBe(bed.idp.issuer);
    expect(url.searchParams.get("state")).toBe(state);
    expect(url.searchParams.get("redirect_uri")).toBe(APP_REDIRECT);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("nonce")).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(url.searchParams.has("code_verifier")).toBe(false);
    expect(state.length).toBeGreaterThanOrEqual(43);
  });

  it("signs in a new person: a new account, verified because the provider verified the address, with no password", async () => {
    const login = newLogin("new");
    const finished = await bed.signIn(login);
    expect(finished.status).toBe(200);
    const tokens = finished.body.result.data;
    expect(tokens).toMatchObject({ tokenType: "Bearer", user: { email: `${login}@idp.test`, emailVerified: true, mfaEnabled: false } });
    expect(tokens.refreshToken).toEqual(expect.any(String));
    const me = await bed.server.call("auth.me", undefined, { query: true, bearer: tokens.accessToken });
    expect(me.body.result.data.user.id).toBe(tokens.user.id);
    const accounts = await bed.server.call("accounts.list", undefined, { query: true, bearer: tokens.accessToken });
    expect(accounts.body.result.data).toEqual([{ provider: PROVIDER, email: `${login}@idp.test`, linkedAt: expect.any(String) }]);
    // No password was set: none signs in.
    const login2 = await bed.server.call("auth.login", { email: `${login}@idp.test`, password: "" + "any password at all" }, { mode: "token" });
    expect(reasonOf(login2)).toBe("invalid_credentials");
    // The same identity signs in to the same account next time.
    const again = await bed.signIn(login);
    expect(again.body.result.data.user.id).toBe(tokens.user.id);
    const events = bed.server.logLines().filter((line) => line.userId === tokens.user.id).map((line) => [line.event, line.method]);
    expect(events).toContainEqual(["signup", `oauth:${PROVIDER}`]);
    expect(events).toContainEqual(["login_success", `oauth:${PROVIDER}`]);
  });
});
