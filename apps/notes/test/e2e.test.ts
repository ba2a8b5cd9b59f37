import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, decodeSecret } from "@gatehouse/verify";
import { createSecretKeyRing, GOOD_PASSWORD, introspectionKey, startServer, type Account, type TestServer } from "../../../packages/verify/test/support.js";
import { launchChromium } from "../../../packages/auth/test/support/chromium.js";
import { buildPage } from "../src/build-page.js";
import { SCOPES_BY_ROLE } from "../src/router.js";
import { createNotesService } from "../src/server.js";

// Gatehouse and the notes service on two origins, as a team runs them (auth.example.com,
// notes.example.com); the page signs in with Gatehouse in cookie mode and calls the
// notes API, which checks every token with @gatehouse/verify and asks Gatehouse
// (introspection) whether its session, lock and role still stand.

const ARTIFACTS = fileURLToPath(new URL("../test-artifacts/", import.meta.url));
const SECRET = randomBytes(32).toString("base64");

let gatehouse: TestServer;
let admin: Account;
let notesServer: Server;
let notesUrl: string;
let browser: Browser;
const cleanup: string[] = [];

beforeAll(async () => {
  // The notes origin must be known before Gatehouse starts, to be listed in its CORS origins.
  notesServer = createServer();
  await new Promise<void>((resolve) => notesServer.listen(0, "127.0.0.1", resolve));
  notesUrl = `http://127.0.0.1:${(notesServer.address() as AddressInfo).port}`;

  gatehouse = await startServer({ keys: createSecretKeyRing([decodeSecret(SECRET)!]), corsOrigins: [notesUrl] });
  const { admin: operator, key } = await introspectionKey(gatehouse);
  admin = operator;
  const verifier = createVerifier({
    issuer: "gatehouse",
    audience: "gatehouse-api",
    secret: SECRET,
    introspect: { url: gatehouse.url, apiKey: key },
    scopesByRole: SCOPES_BY_ROLE,
    // Gatehouse's clock: freshness and expiry are judged as it issues tokens.
    now: gatehouse.clock.now,
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  const pageDir = mkdtempSync(join(tmpdir(), "gatehouse-notes-page-"));
  cleanup.push(pageDir);
  await buildPage(pageDir);
  notesServer.on("request", createNotesService({ verifier, gatehouseUrl: gatehouse.url, pageDir }));

  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  notesServer?.closeAllConnections();
  await new Promise((resolve) => notesServer?.close(resolve));
  await gatehouse?.close();
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

/** Every access token Gatehouse hands the page, read off the wire. */
function recordAccessTokens(context: BrowserContext): () => Promise<string[]> {
  const pending: Promise<string | undefined>[] = [];
  context.on("response", (response) => {
    if (!/\/trpc\/auth\.(signup|login|refresh|reauthenticate)\b/.test(response.url()) || !response.ok()) return;
    pending.push(
      response.json().then(
        (body: { result?: { data?: { accessToken?: string } } }) => body.result?.data?.accessToken,
        () => undefined,
      ),
    );
  });
  return async () => (await Promise.all(pending)).filter((token): token is string => typeof token === "string");
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

const status = (page: Page) => page.getByRole("status");
const uniqueEmail = (label: string) => `${label}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@example.com`;

async function signUpInPage(page: Page, email: string): Promise<void> {
  await page.goto(notesUrl);
  const form = page.locator("#sign-in");
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill(GOOD_PASSWORD);
  await form.getByRole("button", { name: "Create account" }).click();
  await expect.poll(() => page.locator("#who").textContent()).toBe(`Signed in as ${email} (user)`);
}

async function setRole(email: string, role: "user" | "admin"): Promise<void> {
  const user = await gatehouse.services.users.findByEmail(email);
  const answer = await gatehouse.call("admin.setRole", { userId: user!.id, role }, { bearer: admin.accessToken });
  expect(answer.status).toBe(200);
}

describe("the notes service, signed in with Gatehouse, in Chromium", () => {
  it("signs in with Gatehouse, calls the service with the same SDK, and is refused after a demotion and after logout", async () => {
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    const tokens = recordAccessTokens(context);
    const page = await context.newPage();
    const errors = watchErrors(page);
    const email = uniqueEmail("notes");

    await signUpInPage(page, email);
    await page.getByLabel("New note").fill("buy milk");
    await page.getByRole("button", { name: "Add" }).click();
    await expect.poll(() => page.locator("#list li").allTextContents()).toEqual(["buy milk"]);

    // Moderation needs notes:moderate, which only admins hold.
    await page.getByRole("button", { name: "Moderation: count notes" }).click();
    await expect.poll(() => status(page).textContent()).toBe("Refused: forbidden");

    // Promoted: the page's token still says "user", but introspection gives the role as it is now.
    await setRole(email, "admin");
    await page.getByRole("button", { name: "Moderation: count notes" }).click();
    await expect.poll(() => page.locator("#stats-result").textContent()).toMatch(/^\d+ notes by \d+ people$/);
    await page.screenshot({ path: join(ARTIFACTS, "signed-in.png") });

    // Demoted: refused at the next call, though the token has not changed.
    await setRole(email, "user");
    await page.getByRole("button", { name: "Moderation: count notes" }).click();
    await expect.poll(() => status(page).textContent()).toBe("Refused: forbidden");

    const [lastToken] = (await tokens()).slice(-1);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Create account" }).waitFor();

    // The token the page held is still well signed and unexpired; the service refuses it anyway.
    const replay = await fetch(`${notesUrl}/trpc/notes.list`, { headers: { Authorization: `Bearer ${lastToken}` } });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: { data: { reason: string } } }).error.data.reason).toBe("token_revoked");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("asks for the password when the service wants a fresh sign-in, steps up and finishes the action", async () => {
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await signUpInPage(page, uniqueEmail("fresh"));
    await page.getByLabel("New note").fill("old plans");
    await page.getByRole("button", { name: "Add" }).click();
    await expect.poll(() => page.locator("#list li").count()).toBe(1);

    // Six minutes later the sign-in is too old to delete everything (five at most).
    gatehouse.clock.advance(6 * 60_000);
    await page.getByRole("button", { name: "Delete all my notes" }).click();
    const dialog = page.getByRole("dialog", { name: "Confirm it's you" });
    await dialog.waitFor();

    await page.screenshot({ path: join(ARTIFACTS, "step-up.png") });
    await dialog.getByLabel("Password").fill("not my password");
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => dialog.getByRole("alert").textContent()).toBe("That password is incorrect.");
    await dialog.getByLabel("Password").fill(GOOD_PASSWORD);
    await dialog.getByRole("button", { name: "Confirm" }).click();

    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => status(page).textContent()).toBe("Deleted 1 note.");
    await expect.poll(() => page.locator("#list li").count()).toBe(0);

    // Cancelling leaves the refusal.
    gatehouse.clock.advance(6 * 60_000);
    await page.getByRole("button", { name: "Delete all my notes" }).click();
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => status(page).textContent()).toBe("Refused: reauth_required");
    expect(errors).toEqual([]);
    await context.close();
  });
});
