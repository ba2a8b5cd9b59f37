import { mkdirSync } from "node:fs";
import { type BrowserContext, type Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { totp } from "./support.js";
import { ARTIFACTS, useDemo } from "./demo-under-test.js";
import { fillSignUp, logIn, loginHeading, signedIn } from "./demo-pages.js";

const demo = useDemo({
  env: () => ({
    AUTH_LIMITS: JSON.stringify({ "login.ip": "1000/1m", "login.email": "1000/1m", "signup.ip": "1000/1m", "mfa.attempts": "1000/1m", default: "10000/1m" }),
  }),
});

/** Every access token the server hands this context, read off the wire. */
function recordAccessTokens(context: BrowserContext): () => Promise<string[]> {
  const pending: Promise<string | undefined>[] = [];
  context.on("response", (response) => {
    if (!/\/trpc\/auth\.(signup|login|verifyMfa|refresh|reauthenticate)\b/.test(response.url()) || !response.ok()) return;
    pending.push(
      response.json().then(
        (body: { result?: { data?: { accessToken?: string } } }) => body.result?.data?.accessToken,
        () => undefined,
      ),
    );
  });
  return async () => (await Promise.all(pending)).filter((t): t is string => typeof t === "string");
}

/** Script errors and console errors (CSP violations among them); failed HTTP answers are expected (401 on restore). */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && !/Failed to load resource/.test(message.text())) errors.push(message.text());
  });
  return errors;
}

const refreshCount = () => demo.server.output().match(/"path":"\/trpc\/auth\.refresh","status":200/g)?.length ?? 0;

/** The message the server answers a refused call with. */
async function serverMessage(procedure: string, input: unknown): Promise<string> {
  const response = await fetch(`${demo.server.url}/trpc/${procedure}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Auth-Mode": "token" },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { error?: { message?: string } };
  if (!body.error?.message) throw new Error(`${procedure} did not refuse`);
  return body.error.message;
}

const signUp = (page: Page, user: { name: string; email: string; password: string }) => fillSignUp(page, demo.server.url, user);

const clickByText = (page: Page, text: string, at: number) =>
  page.evaluate(
    async ({ text, at }) => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
      const target = [...document.querySelectorAll("button")].find((b) => b.textContent === text);
      if (!target) throw new Error(`no button ${text}`);
      target.click();
    },
    { text, at },
  );

describe("the demo app in Chromium", () => {
  it("signs up, survives a reload with nothing readable in storage, keeps two tabs in step and logs both out", async () => {
    const context = await demo.newContext();
    const accessTokens = recordAccessTokens(context);
    const page = await context.newPage();
    const pageErrors = watchErrors(page);

    await signUp(page, { name: "Ada Lovelace", email: "ada@example.com", password: "analytical engine notes" });
    await signedIn(page).waitFor();
    await expect.poll(() => page.getByText("Signed in as").textContent()).toContain("Ada Lovelace");

    // A reload restores the session from the HttpOnly cookie.
    await page.reload();
    await signedIn(page).waitFor();
    await page.getByText("This browser").waitFor();
    await page.getByRole("definition").filter({ hasText: "ada@example.com" }).waitFor();

    // Nothing a script can read holds a token.
    const tokens = await accessTokens();
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    const readable = await page.evaluate(() => ({
      local: JSON.stringify(Object.entries(localStorage)),
      session: JSON.stringify(Object.entries(sessionStorage)),
      cookie: document.cookie,
    }));
    for (const token of tokens) {
      expect(readable.local).not.toContain(token);
      expect(readable.session).not.toContain(token);
      expect(readable.cookie).not.toContain(token);
    }
    expect(readable.cookie).not.toContain("refresh_token");
    for (const value of Object.values(readable)) expect(value).not.toMatch(/eyJ[\w-]+\.eyJ/);
    const refreshCookie = (await context.cookies()).find((c) => c.name === "refresh_token");
    expect(refreshCookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict", path: "/trpc/auth.refresh" });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}signed-in.png`, fullPage: true });

    // A second tab of the same browser is signed in too.
    const page2 = await context.newPage();
    await page2.goto(demo.server.url);
    await signedIn(page2).waitFor();

    // Both tabs refresh at the same moment: Web Locks make them take turns, nobody is signed out.
    const refreshesBefore = refreshCount();
    const at = Date.now() + 500;
    await Promise.all([clickByText(page, "Refresh access token now", at), clickByText(page2, "Refresh access token now", at)]);
    for (const p of [page, page2]) {
      await p.getByText(/^Session refreshed at/).waitFor();
      await signedIn(p).waitFor();
      await p.getByRole("button", { name: "Reload list" }).click();
      await p.getByText("This browser").waitFor();
    }
    expect(refreshCount()).toBeGreaterThan(refreshesBefore);
    expect(demo.server.output()).not.toContain("refresh_token_reuse");
    expect(await page.getByRole("alert").count()).toBe(0);
    expect(await page2.getByRole("alert").count()).toBe(0);

    // Logging out in one tab logs out the other.
    await page.getByRole("button", { name: "Log out", exact: true }).click();
    await loginHeading(page).waitFor();
    await loginHeading(page2).waitFor();
    await page2.reload();
    await loginHeading(page2).waitFor();
    expect(await signedIn(page2).count()).toBe(0);
    expect((await context.cookies()).find((c) => c.name === "refresh_token")).toBeUndefined();

    expect(pageErrors).toEqual([]);
  });

  it("shows the server's message for a weak password and a wait time when rate limited; edits the name and changes the password", async () => {
    const context = await demo.newContext();
    const page = await context.newPage();
    const pageErrors = watchErrors(page);

    // Exactly what the server says, whatever its wording.
    const common = await serverMessage("auth.signup", { email: "probe@example.com", password: "password" });
    const short = await serverMessage("auth.signup", { email: "probe@example.com", password: "short" });
    expect(common).toMatch(/common/i);
    expect(short).toMatch(/8/);

    await signUp(page, { name: "Weak", email: "weak@example.com", password: "password" });
    await expect.poll(() => page.getByRole("alert").textContent()).toBe(common);
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toBe(short);
    await page.getByLabel("Password", { exact: true }).fill("a sturdier passphrase");
    await page.getByRole("button", { name: "Create account" }).click();
    await signedIn(page).waitFor();

    // The profile's one editable field.
    await page.getByLabel("Display name").fill("Grace Hopper");
    await page.getByRole("button", { name: "Save name" }).click();
    await page.getByText("Name saved.").waitFor();
    await expect.poll(() => page.getByText("Signed in as").textContent()).toContain("Grace Hopper");

    // Change password: the wrong current one is refused with the server's words.
    await page.getByLabel("Current password").fill("not my password");
    await page.getByLabel("New password", { exact: true }).fill("an even sturdier passphrase");
    await page.getByLabel("Repeat new password").fill("an even sturdier passphrase");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/password is incorrect/i);
    await page.getByLabel("Current password").fill("a sturdier passphrase");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByText("Password changed.").waitFor();

    await page.getByRole("button", { name: "Log out", exact: true }).click();

    // The server's 429 becomes a wait time the person can act on.
    let limited = false;
    await page.route("**/trpc/auth.login*", async (route) => {
      if (limited) return route.continue();
      limited = true;
      await route.fulfill({
        status: 429,
        headers: { "Content-Type": "application/json", "Retry-After": "42" },
        body: JSON.stringify({
          error: { message: "Too many requests; try again later.", code: -32029, data: { code: "TOO_MANY_REQUESTS", httpStatus: 429, reason: "rate_limited" } },
        }),
      });
    });
    await logIn(page, "weak@example.com", "an even sturdier passphrase");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Too many attempts. Try again in 42 s.");
    await page.getByRole("button", { name: "Log in", exact: true }).click();
    await signedIn(page).waitFor();
    expect(pageErrors).toEqual([]);
  });

  it("turns on two-factor with a QR code and recovery codes, asks for the password before creating an API key, and asks for the code at login", async () => {
    const context = await demo.newContext();
    const page = await context.newPage();
    const pageErrors = watchErrors(page);
    const email = "grace@example.com";
    const password = "compilers all the way down";
    await signUp(page, { name: "Grace", email, password });
    await signedIn(page).waitFor();

    // Two-factor: QR code and secret, then a code from the "app", then recovery codes once.
    await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
    const qr = page.getByRole("img", { name: "QR code for your authenticator app" });
    await qr.waitFor();
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0 && img.src.startsWith("data:image/png"))).toBe(true);
    const secret = ((await page.locator("code.secret").textContent()) ?? "").replace(/\s/g, "");
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}two-factor-setup.png`, fullPage: true });
    await page.getByLabel("Code from the app").fill(totp(secret));
    await page.getByRole("button", { name: "Turn on two-factor" }).click();
    const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
    await codes.first().waitFor();
    const recoveryCodes = (await codes.allTextContents()).map((c) => c.trim());
    expect(recoveryCodes.length).toBeGreaterThanOrEqual(8);
    await page.getByRole("button", { name: "I have saved them" }).click();
    await page.getByRole("definition").filter({ hasText: /^On$/ }).waitFor();

    // API key creation needs step-up: the first answer says so (as it would 10 minutes after login).
    let refusedOnce = false;
    await page.route("**/trpc/apiKeys.create*", async (route) => {
      if (refusedOnce) return route.continue();
      refusedOnce = true;
      await route.fulfill({
        status: 403,
        contentType: "application/json",
        body: JSON.stringify({
          error: { message: "Confirm your password to continue.", code: -32003, data: { code: "FORBIDDEN", httpStatus: 403, reason: "reauth_required" } },
        }),
      });
    });
    await page.getByLabel("Key name").fill("CI deploys");
    await page.getByRole("button", { name: "Create API key" }).click();
    const dialog = page.getByRole("dialog", { name: "Confirm it's you" });
    await dialog.waitFor();
    await dialog.getByLabel("Password").fill("wrong password");
    await dialog.getByLabel("Two-factor code").fill(recoveryCodes[0]!);
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => dialog.getByRole("alert").textContent()).toContain("That password is incorrect.");
    await page.screenshot({ path: `${ARTIFACTS}step-up.png` });
    await dialog.getByLabel("Password").fill(password);
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await dialog.waitFor({ state: "detached" });

    const newKey = page.getByLabel("New API key");
    await newKey.waitFor();
    const key = await newKey.inputValue();
    expect(key).toMatch(/^gth_/);
    await page.getByText("You will not be able to see it again.").waitFor();
    const me = await fetch(`${demo.server.url}/trpc/auth.me`, { headers: { Authorization: `Bearer ${key}` } });
    expect(me.status).toBe(200);
    await page.getByRole("button", { name: "I have saved it" }).click();
    expect(await newKey.count()).toBe(0);
    await page.getByRole("button", { name: "Revoke API key CI deploys" }).click();
    await page.getByRole("dialog", { name: 'Revoke the key "CI deploys"?' }).getByRole("button", { name: "Revoke key" }).click();
    await page.getByText("No API keys yet.").waitFor();
    expect((await fetch(`${demo.server.url}/trpc/auth.me`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(401);

    // Another browser signs in with a recovery code; this one revokes that session.
    const other = await demo.newContext();
    const otherPage = await other.newPage();
    await otherPage.goto(demo.server.url);
    await logIn(otherPage, email, password);
    await otherPage.getByRole("heading", { name: "Two-factor authentication" }).waitFor();
    await otherPage.getByLabel("Authentication code").fill("000000");
    await otherPage.getByRole("button", { name: "Verify" }).click();
    await expect.poll(() => otherPage.getByRole("alert").textContent()).toContain("That code is not valid");
    await otherPage.getByLabel("Authentication code").fill(recoveryCodes[1]!);
    await otherPage.getByRole("button", { name: "Verify" }).click();
    await signedIn(otherPage).waitFor();

    await page.getByRole("button", { name: "Reload list" }).click();
    const revokeOther = page.getByRole("button", { name: /^Revoke session:/ });
    await revokeOther.waitFor();
    await revokeOther.click();
    await page.getByRole("dialog", { name: "Revoke this session?" }).getByRole("button", { name: "Revoke session" }).click();
    await page.getByText("Session revoked").waitFor();
    expect(await revokeOther.count()).toBe(0);
    await otherPage.getByRole("button", { name: "Reload list" }).click();
    await loginHeading(otherPage).waitFor();
    await otherPage.getByText("Your session has ended. Please log in again.").waitFor();
    await other.close();

    // Log out and back in: the two-factor step, with another recovery code.
    await page.getByRole("button", { name: "Log out", exact: true }).click();
    await logIn(page, email, password);
    await page.getByLabel("Authentication code").fill(recoveryCodes[2]!);
    await page.getByRole("button", { name: "Verify" }).click();
    await signedIn(page).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
