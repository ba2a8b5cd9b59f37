import { mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalIdp, type LocalIdp } from "../../../packages/auth/test/oauth/local-idp.js";
import { buildDemo, freePort, startServer, tempDir, type ServerProcess } from "./support.js";

// The demo against a real OpenID Provider (oidc-provider, in this process, on loopback) configured through
// AUTH_OAUTH_PROVIDERS, driven in Chromium through the provider's development login and consent pages.
const ARTIFACTS = fileURLToPath(new URL("../test-artifacts/", import.meta.url));
const UI_TIMEOUT = 15_000;
const PASSWORD = "correct horse battery staple";

let idp: LocalIdp;
let server: ServerProcess;
let browser: Browser;
let appUrl: string;
const cleanup: string[] = [];

beforeAll(async () => {
  const siteDir = tempDir("gatehouse-demo-site-");
  const dataDir = tempDir("gatehouse-demo-data-");
  cleanup.push(siteDir, dataDir);
  buildDemo(siteDir);
  const port = await freePort();
  // The app on localhost, the IdP on 127.0.0.1: two sites, as in production.
  appUrl = `http://localhost:${port}`;
  idp = await startLocalIdp([`${appUrl}/oauth/acme/callback`]);
  server = await startServer({
    PORT: String(port),
    APP_URL: appUrl,
    DEMO_DIR: siteDir,
    AUTH_STORE_URL: "memory://",
    AUTH_DATA_DIR: dataDir,
    AUTH_OAUTH_PROVIDERS: JSON.stringify([{ id: "acme", name: "Acme ID", issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret }]),
    AUTH_LIMITS: JSON.stringify({ "login.ip": "1000/1m", "login.email": "1000/1m", "signup.ip": "1000/1m", default: "10000/1m" }),
  });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await idp?.close();
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

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
  await page.waitForURL((url) => url.href.startsWith(appUrl));
}

async function withPage(run: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(UI_TIMEOUT);
  try {
    await run(await context.newPage());
  } finally {
    await context.close();
  }
}

describe("demo: sign in with a provider, and linked accounts", () => {
  it("signs in with the provider's button and shows the linked account, whose unlinking is refused (the only way in)", async () => {
    await withPage(async (page) => {
      const login = newLogin("demo");
      await page.goto(appUrl);
      await page.getByRole("button", { name: "Sign in with Acme ID" }).click();
      await atProvider(page, login);
      await page.getByRole("heading", { name: "Your account" }).waitFor();
      expect(page.url()).toBe(`${appUrl}/`);
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
      await fetch(`${server.url}/trpc/auth.signup`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email, password: PASSWORD }) });
      await page.goto(appUrl);
      await page.getByRole("button", { name: "Sign in with Acme ID" }).click();
      await atProvider(page, login);
      await page.getByRole("heading", { name: "Log in" }).waitFor();
      await expect.poll(() => page.getByRole("alert").allTextContents()).toContainEqual(expect.stringMatching(/already exists.*link the provider/));
      // The reason is shown once and taken out of the address.
      expect(page.url()).toBe(`${appUrl}/`);
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
