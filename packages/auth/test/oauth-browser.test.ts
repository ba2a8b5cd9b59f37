import { generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataOf, GOOD_PASSWORD, signedInOf, tokensOf, type InputOf, type OutputOf, type ProcedurePath } from "./harness.js";
import { launchChromium } from "./support/chromium.js";
import type { WireBody } from "./support/wire.js";
import { signInAtIdp as signInOverHttp } from "./oauth/idp-login.js";
import { PROVIDER, startOAuthTestbed, type OAuthTestbed } from "./oauth/oauth-server.js";

// The browser flow in Chromium, through the real OpenID Provider's (oidc-provider) development login and consent
// pages. The app runs on http://localhost:PORT and the IdP on http://127.0.0.1:PORT: different sites, as in production.
let bed: OAuthTestbed;
let browser: Browser;
beforeAll(async () => {
  bed = await startOAuthTestbed();
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await bed?.close();
});

let counter = 0;
const newLogin = (label: string) => `${label}-${Date.now()}-${counter++}`;

/** Fills the IdP's development login page and submits it; waits for its consent page. */
async function loginAtIdp(page: Page, login: string): Promise<void> {
  await page.locator('input[name="prompt"][value="login"]').waitFor({ state: "attached" });
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', "any password");
  await page.click('button[type="submit"]');
  await page.locator('input[name="prompt"][value="consent"]').waitFor({ state: "attached" });
}

/** Signs in at the IdP, confirms its consent page, and waits to be back on the app. */
async function signInAtIdp(page: Page, login: string): Promise<void> {
  await loginAtIdp(page, login);
  await page.click('button[type="submit"]');
  await page.waitForURL((url) => url.href.startsWith(bed.appUrl) && !url.pathname.startsWith("/oauth/"));
}

/** A same-origin call from the page, as the app's scripts make it (cookies travel as they would). */
const callFromPage = <P extends ProcedurePath>(
  page: Page,
  procedure: P,
  input?: InputOf<P>,
  bearer?: string,
): Promise<{ status: number; body: WireBody<OutputOf<P>> }> =>
  page.evaluate(
    async ({ procedure, input, bearer }) => {
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (bearer) headers.Authorization = `Bearer ${bearer}`;
      const response = await fetch(`/trpc/${procedure}`, { method: "POST", headers, body: input === undefined ? undefined : JSON.stringify(input) });
      return { status: response.status, body: (await response.json()) as WireBody<OutputOf<P>> };
    },
    { procedure, input, bearer },
  );

/** The data of a page's call that succeeded. */
function pageDataOf<T>(answer: { status: number; body: WireBody<T> }): T {
  expect(answer.body.result, `expected data, got ${answer.status}`).toBeDefined();
  return answer.body.result!.data;
}

async function withContext<T>(run: (context: BrowserContext, page: Page) => Promise<T>): Promise<T> {
  // The server's CSP governs its own pages; these tests script calls from its JSON answers, so it is bypassed.
  const context = await browser.newContext({ bypassCSP: true });
  try {
    return await run(context, await context.newPage());
  } finally {
    await context.close();
  }
}

describe("provider sign-in in the browser (GET /oauth/<provider>/start → provider → /callback)", () => {
  it("signs in with the refresh cookie and the session hint, and returns to the app path with no token in the URL", async () => {
    await withContext(async (context, page) => {
      const login = newLogin("browser");
      await page.goto(`${bed.appUrl}/oauth/${PROVIDER}/start?returnTo=${encodeURIComponent("/welcome?tab=1")}`);
      await signInAtIdp(page, login);
      const landed = new URL(page.url());
      expect(landed.origin + landed.pathname + landed.search).toBe(`${bed.appUrl}/welcome?tab=1`);
      const cookies = await context.cookies(bed.appUrl + "/trpc/auth.refresh");
      expect(cookies.find((c) => c.name === "refresh_token")).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/trpc/auth.refresh" });
      expect(cookies.find((c) => c.name === "gh_session")).toBeDefined();
      // The flow's binding cookie is spent.
      expect((await context.cookies(`${bed.appUrl}/oauth/`)).some((c) => c.name === "oauth_flow")).toBe(false);
      // The app gets its access token the way every cookie-mode app does: a refresh.
      const refreshed = await callFromPage(page, "auth.refresh");
      expect(refreshed.status).toBe(200);
      expect(pageDataOf(refreshed).user.email).toBe(`${login}@idp.test`);
      expect(pageDataOf(refreshed).refreshToken).toBeUndefined();
    });
  });

  it("refuses a callback opened in another browser than the one that started the flow (login CSRF)", async () => {
    // The attacker starts a flow (over plain HTTP) and signs in at the provider as themselves…
    const attack = async () => {
      const start = await fetch(`${bed.server.url}/oauth/${PROVIDER}/start?returnTo=/home`, { redirect: "manual" });
      const binding = /oauth_flow=([^;]+)/.exec(start.headers.get("set-cookie") ?? "")![1]!;
      const callback = await signInOverHttp(start.headers.get("location")!, newLogin("attacker"), `${bed.appUrl}/oauth/${PROVIDER}/callback`);
      return { binding, callback: callback.href };
    };
    // …and has the victim's browser open the callback: it signs no one in.
    const { callback } = await attack();
    await withContext(async (context, page) => {
      await page.goto(callback);
      expect(page.url()).toBe(`${bed.appUrl}/home?error=oauth_failed`);
      expect((await context.cookies(bed.appUrl + "/trpc/auth.refresh")).some((c) => c.name === "refresh_token")).toBe(false);
    });
    // The same callback with the binding of the browser that started it does sign in.
    const own = await attack();
    const answer = await fetch(own.callback, { redirect: "manual", headers: { cookie: `oauth_flow=${own.binding}` } });
    expect(answer.headers.get("location")).toBe(`${bed.appUrl}/home`);
    expect(answer.headers.getSetCookie().some((c) => c.startsWith("refresh_token="))).toBe(true);
  });

  it("with two-factor on, hands the mfaToken over in a short-lived cookie, not the URL; auth.verifyMfa finishes", async () => {
    await withContext(async (context, page) => {
      const login = newLogin("browser-totp");
      const { accessToken } = signedInOf(await bed.signIn(login));
      const { secret } = dataOf(await bed.server.call("mfa.setupTotp", undefined, { bearer: accessToken }));
      const code = (offset: number) => generateHOTP(decodeBase32IgnorePadding(secret), BigInt(Math.floor(bed.server.clock.now() / 30_000) + offset), 6);
      await bed.server.call("mfa.enableTotp", { code: code(0) }, { bearer: accessToken });
      bed.server.clock.advance(30_000);

      await page.goto(`${bed.appUrl}/oauth/${PROVIDER}/start?returnTo=/app`);
      await signInAtIdp(page, login);
      expect(page.url()).toBe(`${bed.appUrl}/app?mfa=required`);
      expect((await context.cookies(bed.appUrl + "/trpc/auth.refresh")).some((c) => c.name === "refresh_token")).toBe(false);
      const mfaToken = await page.evaluate(
        () => /(?:^|; )gh_mfa=([^;]+)/.exec((globalThis as unknown as { document: { cookie: string } }).document.cookie)?.[1],
      );
      expect(mfaToken).toEqual(expect.any(String));
      const verified = await callFromPage(page, "auth.verifyMfa", { mfaToken: mfaToken!, code: code(0) });
      expect(verified.status).toBe(200);
      expect(tokensOf(pageDataOf(verified)).user.email).toBe(`${login}@idp.test`);
    });
  });

  it("links from a signed-in session: the callback links instead of signing in, then returns with ?linked", async () => {
    await withContext(async (_context, page) => {
      const login = newLogin("browser-link");
      const email = `${newLogin("owner")}@example.com`;
      await bed.server.call("auth.signup", { email, password: GOOD_PASSWORD });
      await page.goto(`${bed.appUrl}/health`);
      const signedIn = await callFromPage(page, "auth.login", { email, password: GOOD_PASSWORD });
      const { accessToken } = tokensOf(pageDataOf(signedIn));
      const started = await callFromPage(page, "accounts.linkStart", { provider: PROVIDER }, accessToken);
      expect(started.status).toBe(200);
      await page.goto(pageDataOf(started).authorizationUrl);
      await signInAtIdp(page, login);
      expect(page.url()).toBe(`${bed.appUrl}/?linked=${PROVIDER}`);
      const listed = await bed.server.call("accounts.list", undefined, { query: true, bearer: accessToken });
      expect(dataOf(listed)).toEqual([{ provider: PROVIDER, email: `${login}@idp.test`, linkedAt: expect.any(String) }]);
    });
  });
});

describe("the browser routes' refusals are redirects back to the app with ?error", () => {
  const location = async (path: string) => (await fetch(`${bed.server.url}${path}`, { redirect: "manual" })).headers.get("location");

  it("never returns to another site (no open redirect), and takes a path only", async () => {
    // A tab or newline is dropped by URL parsers: "/\t/evil.example" is "//evil.example" to a browser.
    for (const returnTo of [
      "https://evil.example/",
      "//evil.example/x",
      "/\\evil.example",
      "/\t/evil.example",
      "javascript:alert(1)",
      `${bed.appUrl}/settings`,
    ]) {
      expect(await location(`/oauth/${PROVIDER}/start?returnTo=${encodeURIComponent(returnTo)}`), returnTo).toBe(`${bed.appUrl}/?error=validation_failed`);
    }
  });

  it("answers not_found for an unknown provider and oauth_failed for a callback with no flow", async () => {
    expect(await location("/oauth/nope/start?returnTo=/x")).toBe(`${bed.appUrl}/x?error=not_found`);
    expect(await location(`/oauth/${PROVIDER}/callback?code=abc&state=def`)).toBe(`${bed.appUrl}/?error=oauth_failed`);
  });
});
