import { describe, expect, it } from "vitest";
import { dataOf, reasonOf, signedInOf, wireErrorOf } from "./harness.js";
import { APP_REDIRECT, newLogin, PROVIDER, useOAuthTestbed } from "./oauth/oauth-server.js";

// Against a real OpenID Provider (oidc-provider) on loopback: discovery, its login pages, its codes and ID tokens.
const bed = useOAuthTestbed();

/** Why the server refused the last provider sign-in, as its log says (`detail`: our check, or the library's / provider's code). */
const lastFailureDetail = () =>
  bed()
    .server.logLines()
    .filter((line) => line.event === "login_failed" && line.reason === "oauth_failed")
    .at(-1)?.detail;

describe("provider sign-in, app flow (auth.oauthStart → provider → auth.oauthFinish)", () => {
  it("lists the configured providers", async () => {
    const listed = await bed().server.call("auth.oauthProviders", undefined, { query: true });
    expect(dataOf(listed)).toEqual([{ id: PROVIDER, name: "Acme ID" }]);
  });

  it("sends the person to the provider with state, nonce and a PKCE S256 challenge, and never the verifier", async () => {
    const { authorizationUrl, state } = await bed().start();
    const url = new URL(authorizationUrl);
    expect(url.origin).toBe(bed().idp.issuer);
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
    const finished = await bed().signIn(login);
    expect(finished.status).toBe(200);
    const tokens = signedInOf(finished);
    expect(tokens).toMatchObject({ tokenType: "Bearer", user: { email: `${login}@idp.test`, emailVerified: true, mfaEnabled: false } });
    expect(tokens.refreshToken).toEqual(expect.any(String));
    const me = await bed().server.call("auth.me", undefined, { query: true, bearer: tokens.accessToken });
    expect(dataOf(me).user.id).toBe(tokens.user.id);
    const accounts = await bed().server.call("accounts.list", undefined, { query: true, bearer: tokens.accessToken });
    expect(dataOf(accounts)).toEqual([{ provider: PROVIDER, email: `${login}@idp.test`, linkedAt: expect.any(String) }]);
    // No password was set: none signs in.
    const login2 = await bed().server.call("auth.login", { email: `${login}@idp.test`, password: "" + "any password at all" }, { mode: "token" });
    expect(reasonOf(login2)).toBe("invalid_credentials");
    // The same identity signs in to the same account next time.
    const again = await bed().signIn(login);
    expect(signedInOf(again).user.id).toBe(tokens.user.id);
    const events = bed()
      .server.logLines()
      .filter((line) => line.userId === tokens.user.id)
      .map((line) => [line.event, line.method]);
    expect(events).toContainEqual(["signup", `oauth:${PROVIDER}`]);
    expect(events).toContainEqual(["login_success", `oauth:${PROVIDER}`]);
  });
});

describe("provider sign-in, app flow: what is refused", () => {
  it("refuses a forged state (oauth_failed) and creates nothing", async () => {
    const login = newLogin("forged");
    const { code } = await bed().codeFor(login);
    const forged = await bed().finish({ code, state: "f".repeat(43) });
    expect(forged.status).toBe(401);
    expect(reasonOf(forged)).toBe("oauth_failed");
    expect(await bed().server.services.users.findByEmail(`${login}@idp.test`)).toBeUndefined();
  });

  it("refuses a replayed code: the state is single use, and the code does not redeem under another flow's state (PKCE)", async () => {
    const login = newLogin("replay");
    const response = await bed().codeFor(login);
    expect((await bed().finish(response)).status).toBe(200);
    expect(reasonOf(await bed().finish(response))).toBe("oauth_failed");
    // Refused by the server's own single-use state, before the provider is asked.
    expect(lastFailureDetail()).toBe("unknown_state");
    const other = await bed().start();
    expect(reasonOf(await bed().finish({ code: response.code, state: other.state }))).toBe("oauth_failed");
  });

  it("refuses a code meant for another flow: its verifier does not match the challenge the provider holds", async () => {
    const first = await bed().start();
    const second = await bed().start();
    const { code } = await bed().codeFor(newLogin("pkce"), first);
    // The code of the first flow, finished under the second flow's state (its PKCE verifier and nonce).
    const swapped = await bed().finish({ code, state: second.state });
    expect(reasonOf(swapped)).toBe("oauth_failed");
    expect(
      bed()
        .server.logLines()
        .some((line) => line.event === "login_failed" && line.reason === "oauth_failed" && String(line.detail).includes("invalid_grant")),
    ).toBe(true);
  });

  it("refuses an ID token whose nonce is not the one the server sent", async () => {
    const login = newLogin("nonce");
    const started = await bed().start();
    const tampered = new URL(started.authorizationUrl);
    tampered.searchParams.set("nonce", "a-nonce-the-server-never-made-0123456789abc");
    const response = await bed().codeFor(login, { ...started, authorizationUrl: tampered.href });
    const finished = await bed().finish(response);
    expect(reasonOf(finished)).toBe("oauth_failed");
    // openid-client's check of the ID token's nonce claim against the one the server holds.
    expect(lastFailureDetail()).toBe("OAUTH_JWT_CLAIM_COMPARISON_FAILED nonce");
    expect(await bed().server.services.users.findByEmail(`${login}@idp.test`)).toBeUndefined();
  });

  it("refuses a flow past its ten minutes", async () => {
    const response = await bed().codeFor(newLogin("late"));
    bed().server.clock.advance(10 * 60_000 + 1000);
    expect(reasonOf(await bed().finish(response))).toBe("oauth_failed");
  });

  it("refuses a redirect URI the provider's configuration does not list, and an unknown provider", async () => {
    const wrong = await bed().server.call("auth.oauthStart", { provider: PROVIDER, redirectUri: "https://evil.example/cb" }, { mode: "token" });
    expect(reasonOf(wrong)).toBe("validation_failed");
    expect(wireErrorOf(wrong).data.issues?.[0]?.path).toBe("redirectUri");
    // A loopback redirect may name another port (RFC 8252 §7.3): a CLI's listener gets whatever port is free.
    const otherPort = await bed().server.call("auth.oauthStart", { provider: PROVIDER, redirectUri: APP_REDIRECT.replace("8765", "9999") }, { mode: "token" });
    expect(otherPort.status).toBe(200);
    const unknown = await bed().server.call("auth.oauthStart", { provider: "nope", redirectUri: APP_REDIRECT }, { mode: "token" });
    expect(reasonOf(unknown)).toBe("not_found");
  });

  it("refuses a code the provider never issued (the provider's invalid_grant)", async () => {
    const started = await bed().start();
    expect(reasonOf(await bed().finish({ code: "made-up-code", state: started.state }))).toBe("oauth_failed");
  });
});
