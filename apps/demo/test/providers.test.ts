import { mkdirSync } from "node:fs";
import { type Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalIdp, type LocalIdp } from "../../../packages/auth/test/oauth/local-idp.js";
import { ARTIFACTS, useDemo } from "./demo-under-test.js";

// The demo against a real OpenID Provider (oidc-provider, in this process, on loopback) configured through
// AUTH_OAUTH_PROVIDERS, driven in Chromium through the provider's development login and consent pages.
const PASSWORD = "correct horse battery staple";

let idp: LocalIdp;
// The app on localhost, the IdP on 127.0.0.1: two sites, as in production.
const demo = useDemo({
  appHost: "localhost",
  env: async (appUrl) => {
    idp = await startLocalIdp([`${appUrl}/oauth/acme/callback`]);
    return {
      AUTH_OAUTH_PROVIDERS: JSON.stringify([{ id: "acme", name: "Acme ID", issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }]),
      AUTH_LIMITS: JSON.stringify({ "login.ip": "1000/1m", "login.email": "1000/1m", "signup.ip": "1000/1m", default: "10000/1m" }),
    };
  },
});
afterAll(() => idp?.close());

let counter = 0;
const newLogin = (label: string) => `${label}-${Date.now()}-${counter++}`;

/** The IdP's development pages: any login, then consent. */
async function atProvider(page: Page, login: string): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(idp.issuer));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any");
  await page.locator('button[type="submit"]').click();
  await page.locator('input[name="prompt"][value="consent"]').waitFor({ state: "attached" });
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((url) => url.href.startsWith(demo.appUrl));
}

async function withPage(run: (page: Page) => Promise<void>): Promise<void> {
  const context = await demo.newContext();
  await run(await context.newPage());
}

describe("demo: sign in with a provider, and linked accounts", () => {
  it("signs in with the provider's button and shows the linked account, whose unlinking is refused (the only way in)", async () => {
    await withPage(async (page) => {
      const login = newLogin("demo");
      await page.goto(demo.appUrl);
      await page.getByRole("button", { name: "Sign in with Acme ID" }).click();
      await atProvider(page, login);
      await page.getByRole("heading", { name: "Your account" }).waitFor();
      expect(page.url()).toBe(`${demo.appUrl}/`);
      const linked = page.getByRole("list", { name: "Linked accounts" });
      await expect.poll(() => linked.textContent()).toContain(`${login}@idp.test`);
      await page.getByRole("button", { name: "Unlink Acme ID" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Unlink" }).click();
      await expect.poll(() => page.getByRole("alert").allTextContents()).toContainEqual(expect.stringMatching(/only way to sign in/));
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}provider-linked-accounts.png`, fullPage: true });
    });
  });

  it("shows the callback's error clearly (link_required), then links from the account after a password login", async () => {
    await withPage(async (page) => {
      const login = newLogin("existing");
      const email = `${login}@idp.test`;
      // An account with that address exists and is not verified: the provider cannot be linked automatically.
      await fetch(`${demo.server.url}/trpc/auth.signup`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      await page.goto(demo.appUrl);
      await page.getByRole("button", { name: "Sign in with Acme ID" }).click();
      await atProvider(page, login);
      await page.getByRole("heading", { name: "Log in" }).waitFor();
      await expect.poll(() => page.getByRole("alert").allTextContents()).toContainEqual(expect.stringMatching(/already exists.*link the provider/));
      // The reason is shown once and taken out of the address.
      expect(page.url()).toBe(`${demo.appUrl}/`);
      await page.screenshot({ path: `${ARTIFACTS}provider-link-required.png`, fullPage: true });

      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Log in", exact: true }).click();
      await page.getByRole("heading", { name: "Your account" }).waitFor();
      // Signed out at the IdP meanwhile, so its pages show again (signed in there, it would answer at once).
      await page.context().clearCookies({ domain: "127.0.0.1" });
      await page.getByRole("button", { name: "Link Acme ID" }).click();
      await atProvider(page, login);
      await page.getByRole("heading", { name: "Your account" }).waitFor();
      await expect.poll(() => page.getByRole("status").allTextContents()).toContainEqual(expect.stringMatching(/Acme ID is linked/));
      await page.getByRole("button", { name: "Unlink Acme ID" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Unlink" }).click();
      await expect.poll(() => page.getByRole("status").allTextContents()).toContainEqual(expect.stringMatching(/Acme ID is unlinked/));
    });
  });
});
