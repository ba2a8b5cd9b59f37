import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataOf, GOOD_PASSWORD, reasonOf, signedInOf, startServer, type TestServer } from "./harness.js";
import { startGitHubStandIn, type GitHubPerson, type GitHubStandIn } from "./oauth/github-stand-in.js";

// GitHub as a plain OAuth 2 provider, against a loopback stand-in of its endpoints in GitHub's documented shapes:
// a test double of an external HTTP API, since no real GitHub is reachable here. The OpenID Connect path is tested
// against a real provider (oauth-app-flow, oauth-linking, oauth-browser).
const APP_REDIRECT = "http://127.0.0.1:8765/github/callback";
let github: GitHubStandIn;
let server: TestServer;
beforeAll(async () => {
  github = await startGitHubStandIn();
  server = await startServer({
    oauthProviders: [{ id: "github", clientId: github.clientId, clientSecret: github.clientSecret, redirectUris: [APP_REDIRECT] }],
    githubEndpoints: github.endpoints,
  });
});
afterAll(async () => {
  await server.close();
  await github.close();
});

let counter = 1000;
const person = (emails: GitHubPerson["emails"]): GitHubPerson => ({ id: counter++, login: `octo${counter}`, name: null, emails });

/** The app flow: auth.oauthStart, GitHub's authorize endpoint (approves at once), auth.oauthFinish. */
async function signInAs(who: GitHubPerson, tamper: (response: URL) => void = () => undefined) {
  github.signedIn = who;
  const { authorizationUrl } = dataOf(await server.call("auth.oauthStart", { provider: "github", redirectUri: APP_REDIRECT }, { mode: "token" }));
  const authorize = await fetch(authorizationUrl, { redirect: "manual" });
  const response = new URL(authorize.headers.get("location")!);
  tamper(response);
  return server.call(
    "auth.oauthFinish",
    { provider: "github", code: response.searchParams.get("code")!, state: response.searchParams.get("state")! },
    { mode: "token" },
  );
}

describe("sign-in with GitHub (OAuth 2, its user and emails API)", () => {
  it("is listed by its name, and asks for the user and email scopes with state and PKCE", async () => {
    expect(dataOf(await server.call("auth.oauthProviders", undefined, { query: true }))).toEqual([{ id: "github", name: "GitHub" }]);
    const { authorizationUrl } = dataOf(await server.call("auth.oauthStart", { provider: "github", redirectUri: APP_REDIRECT }, { mode: "token" }));
    const url = new URL(authorizationUrl);
    expect(url.origin + url.pathname).toBe(github.endpoints.authorization);
    expect(url.searchParams.get("scope")).toBe("read:user user:email");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
  });

  it("signs in with the verified primary address: a new account, verified, named after the GitHub login", async () => {
    const who = person([{ email: `octo${counter}@example.com`, primary: true, verified: true }]);
    const signedIn = await signInAs(who);
    expect(signedIn.status).toBe(200);
    expect(signedInOf(signedIn).user).toMatchObject({ email: who.emails[0]!.email, emailVerified: true, name: who.login });
    // The same GitHub user (by id, whatever its address) signs in to the same account.
    const again = await signInAs({ ...who, emails: [{ email: "changed@example.com", primary: true, verified: true }] });
    expect(signedInOf(again).user.id).toBe(signedInOf(signedIn).user.id);
  });

  it("counts only the primary address: a verified secondary one is never used to find an account", async () => {
    const secondary = `secondary${counter}@example.com`;
    const existing = dataOf(await server.call("auth.signup", { email: secondary, password: GOOD_PASSWORD }, { mode: "token" })).user;
    await server.services.users.update(existing.id, (u) => ({ ...u, emailVerified: true }));
    const who = person([
      { email: `primary${counter}@example.com`, primary: true, verified: false },
      { email: secondary, primary: false, verified: true },
    ]);
    const signedIn = await signInAs(who);
    expect(signedInOf(signedIn).user).toMatchObject({ email: who.emails[0]!.email, emailVerified: false });
    expect(signedInOf(signedIn).user.id).not.toBe(existing.id);
  });

  it("answers link_required when the primary address is an account's but GitHub has not verified it", async () => {
    const email = `unverified${counter}@example.com`;
    const existing = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" })).user;
    await server.services.users.update(existing.id, (u) => ({ ...u, emailVerified: true }));
    expect(reasonOf(await signInAs(person([{ email, primary: true, verified: false }])))).toBe("link_required");
  });

  it("refuses a forged state and a code GitHub calls bad (its 200 with an error body) with oauth_failed", async () => {
    const who = person([{ email: `state${counter}@example.com`, primary: true, verified: true }]);
    expect(reasonOf(await signInAs(who, (url) => url.searchParams.set("state", "x".repeat(43))))).toBe("oauth_failed");
    expect(reasonOf(await signInAs(who, (url) => url.searchParams.set("code", "not-a-code")))).toBe("oauth_failed");
  });
});
