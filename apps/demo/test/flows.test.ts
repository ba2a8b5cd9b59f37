import { mkdirSync, readFileSync } from "node:fs";
import { type Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { linkInHtml, readOutbox, totp, type OutboxMail } from "./support.js";
import { ARTIFACTS, UI_TIMEOUT, useDemo } from "./demo-under-test.js";
import { fillSignUp, logIn, loginHeading, signedIn, uniqueEmail } from "./demo-pages.js";

const ADMIN = { email: "admin@example.com", password: "the admin's long passphrase" };

const demo = useDemo({
  appHost: "127.0.0.1",
  outbox: true,
  env: () => ({
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    AUTH_LIMITS: JSON.stringify({
      "login.ip": "1000/1m",
      "login.email": "1000/1m",
      "signup.ip": "1000/1m",
      "mfa.attempts": "1000/1m",
      "reset.email": "100/1m",
      default: "10000/1m",
    }),
  }),
});

/** Everything the page reports as an error, failed requests included: a signed-out load must not cause any. */
function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") errors.push(message.text());
  });
  return errors;
}

const signUp = (page: Page, user: { email: string; password: string; name?: string }) => fillSignUp(page, demo.server.url, user);

/** The newest mail to `to` with this subject, once the server has written it. */
async function mailTo(to: string, subject: string): Promise<OutboxMail> {
  let found: OutboxMail | undefined;
  await expect
    .poll(
      () =>
        (found = readOutbox(demo.outboxDir)
          .filter((m) => m.to === to && m.subject === subject)
          .at(-1)),
      { timeout: UI_TIMEOUT },
    )
    .toBeDefined();
  return found!;
}

/** Clicks a list's Reload until `text` shows: the server writes activity and audit entries just after answering. */
async function reloadUntil(page: Page, list: string, text: RegExp): Promise<void> {
  const rows = page.getByRole("list", { name: list });
  await expect
    .poll(async () => {
      await page.getByRole("button", { name: "Reload", exact: true }).click();
      await page.locator("[aria-busy]").waitFor({ state: "detached" });
      return rows.getByText(text).count();
    })
    .toBeGreaterThan(0);
}

const definitionOf = (page: Page, term: string) =>
  page.evaluate((wanted) => [...document.querySelectorAll("dt")].find((dt) => dt.textContent === wanted)?.nextElementSibling?.textContent, term);

/** What a screen reader reads for the focused element: it must be a field or a message, never the page itself. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    const describedBy = (element?.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);
    return {
      tag: element?.tagName.toLowerCase(),
      name: element?.getAttribute("name"),
      role: element?.getAttribute("role"),
      invalid: element?.getAttribute("aria-invalid"),
      text: element?.textContent ?? "",
      description: describedBy.map((id) => document.getElementById(id)?.textContent ?? "").join(" "),
    };
  });

describe("every account flow finishes in the demo", () => {
  it("a signed-out page load logs nothing in the console and sends no refresh", async () => {
    const context = await demo.newContext();
    const page = await context.newPage();
    const errors = watchConsole(page);
    const refreshes: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/trpc/auth.refresh")) refreshes.push(request.url());
    });
    await page.goto(demo.server.url);
    await loginHeading(page).waitFor();
    await page.reload();
    await loginHeading(page).waitFor();
    expect(refreshes).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("sign-up → forgot password → the reset link from the outbox → a new password → sign in", async () => {
    const context = await demo.newContext();
    const page = await context.newPage();
    const email = uniqueEmail("reset");
    await signUp(page, { email, password: "the first passphrase" });
    await signedIn(page).waitFor();
    await page.getByRole("button", { name: "Log out", exact: true }).click();

    await loginHeading(page).waitFor();
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Forgot password?" }).click();
    await page.getByRole("heading", { name: "Reset your password" }).waitFor();
    expect(await page.getByLabel("Email").inputValue()).toBe(email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await page.getByRole("status").filter({ hasText: "we sent it a link" }).waitFor();

    // The mail's HTML has a real link; opening it lands on the reset page, and the token leaves the address bar.
    const link = linkInHtml(await mailTo(email, "Reset your password"));
    expect(link).toMatch(new RegExp(`^${demo.server.url}/reset-password\\?token=[\\w-]+$`));
    await page.goto(link);
    await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
    expect(page.url()).toBe(`${demo.server.url}/reset-password`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}reset-password.png`, fullPage: true });

    // Passwords that differ: the error sits on the repeat field, which gets the focus.
    await page.getByLabel("New password", { exact: true }).fill("the second passphrase");
    await page.getByLabel("Repeat new password").fill("the second passphrasE");
    await page.getByRole("button", { name: "Set new password" }).click();
    await expect.poll(() => focused(page)).toMatchObject({ name: "repeatPassword", invalid: "true", description: "The passwords do not match." });
    await page.getByLabel("Repeat new password").fill("the second passphrase");
    await page.getByRole("button", { name: "Set new password" }).click();
    await page.getByText("Your password has been changed").waitFor();
    await page.getByRole("button", { name: "Log in" }).click();

    await logIn(page, email, "the first passphrase");
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/incorrect/i);
    await page.getByLabel("Password", { exact: true }).fill("the second passphrase");
    await page.getByRole("button", { name: "Log in", exact: true }).click();
    await signedIn(page).waitFor();

    // The same link a second time: refused in words, with a way to ask for a new one.
    await page.goto(link);
    await page.getByLabel("New password", { exact: true }).fill("a third passphrase");
    await page.getByLabel("Repeat new password").fill("a third passphrase");
    await page.getByRole("button", { name: "Set new password" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("invalid, expired or already used");
    await page.getByRole("button", { name: "Ask for a new link" }).click();
    // Still signed in (the reset did not happen): the account page, not the reset form.
    await signedIn(page).waitFor();
  });

  it("the development mailbox lists the reset mail, and its link opens the reset page in the demo", async () => {
    const email = uniqueEmail("mailbox");
    const post = (procedure: string, body: unknown) =>
      fetch(`${demo.server.url}/trpc/${procedure}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Auth-Mode": "token" },
        body: JSON.stringify(body),
      });
    expect((await post("auth.signup", { email, password: "a mailbox passphrase" })).status).toBe(200);
    expect((await post("auth.requestPasswordReset", { email })).status).toBe(200);
    await mailTo(email, "Reset your password");

    const context = await demo.newContext();
    const page = await context.newPage();
    await page.goto(demo.server.url);
    await page.getByRole("link", { name: "Mailbox (development)" }).click();
    await page.getByRole("heading", { name: "Mailbox (development)" }).waitFor();
    const mail = page
      .getByRole("listitem")
      .filter({ hasText: `To ${email}` })
      .filter({ hasText: "Reset your password" });
    await mail.waitFor();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}mailbox.png`, fullPage: true });
    await mail.getByRole("link", { name: /\/reset-password\?token=/ }).click();
    await page.getByRole("heading", { name: "Choose a new password" }).waitFor();
    expect(page.url()).toBe(`${demo.server.url}/reset-password`);
  });

  it("sends and follows the verification link; every open tab shows the address confirmed", async () => {
    const context = await demo.newContext();
    const page = await context.newPage();
    const email = uniqueEmail("verify");
    await signUp(page, { email, password: "verify me please" });
    await signedIn(page).waitFor();
    expect(await definitionOf(page, "Email verified")).toBe("No");
    await page.getByRole("button", { name: "Send verification email" }).click();
    await page.getByText(`We sent a link to ${email}.`).waitFor();

    const link = linkInHtml(await mailTo(email, "Confirm your email address"));
    expect(link).toMatch(new RegExp(`^${demo.server.url}/verify-email\\?token=[\\w-]+$`));
    const mailTab = await context.newPage();
    await mailTab.goto(link);
    await mailTab.getByText("Your email address is confirmed.").waitFor();
    expect(mailTab.url()).toBe(`${demo.server.url}/verify-email`);

    // The first tab learns it from the SDK (user-updated, shared between tabs): no reload.
    await expect.poll(() => definitionOf(page, "Email verified")).toBe("Yes");
    expect(await page.getByRole("button", { name: "Send verification email" }).count()).toBe(0);
    await mailTab.getByRole("button", { name: "Continue" }).click();
    await signedIn(mailTab).waitFor();
  });

  it("moves focus to the field at fault or to the message after a failed submit, with the error tied to the field", async () => {
    const context = await demo.newContext();
    const page = await context.newPage();
    const email = uniqueEmail("focus");
    await signUp(page, { email, password: "short" });
    // weak_password: on the password field, described by the server's words.
    await expect.poll(() => focused(page)).toMatchObject({ tag: "input", name: "password", invalid: "true", description: expect.stringContaining("8") });
    await page.getByLabel("Password", { exact: true }).fill("a proper passphrase");
    // Editing the field clears its error.
    expect(await page.getByLabel("Password", { exact: true }).getAttribute("aria-invalid")).toBeNull();
    await page.getByRole("button", { name: "Create account" }).click();
    await signedIn(page).waitFor();
    await page.getByRole("button", { name: "Log out", exact: true }).click();

    // email_taken: on the email field.
    await loginHeading(page).waitFor();
    await page.getByRole("button", { name: "Create an account" }).click();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password", { exact: true }).fill("another proper passphrase");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect.poll(() => focused(page)).toMatchObject({ name: "email", invalid: "true", description: expect.stringMatching(/exists/i) });

    // A wrong login names no field (either could be wrong): focus goes to the message.
    await page.getByRole("button", { name: "Log in" }).click();
    await logIn(page, email, "not the passphrase");
    await expect.poll(() => focused(page)).toMatchObject({ role: "alert", text: expect.stringMatching(/incorrect/i) });
  });

  it("keeps Log out on screen at 375 px wide with a long email", async () => {
    const context = await demo.newContext({ width: 375 });
    const page = await context.newPage();
    const email = `a.very.long.address.that.does.not.fit.${Date.now()}@subdomain.example-company.com`;
    await signUp(page, { email, password: "narrow screens matter" });
    await signedIn(page).waitFor();
    await page.getByText("Signed in as").waitFor();
    const box = await page.getByRole("button", { name: "Log out", exact: true }).boundingBox();
    expect(box).not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(375);
    // Nothing makes the page scroll sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}narrow-375.png`, fullPage: true });
  });

  it("two-factor: recovery codes can be copied and downloaded, the enabling code is refused as already used, and revoking asks first", async () => {
    const context = await demo.newContext();
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: demo.server.url });
    const page = await context.newPage();
    const email = uniqueEmail("totp");
    const password = "two factors are better";
    await signUp(page, { email, password });
    await signedIn(page).waitFor();

    await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
    const secret = ((await page.locator("code.secret").textContent()) ?? "").replace(/\s/g, "");
    const code = totp(secret);
    await page.getByLabel("Code from the app").fill(code);
    await page.getByRole("button", { name: "Turn on two-factor" }).click();
    const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
    await codes.first().waitFor();
    const recoveryCodes = (await codes.allTextContents()).map((c) => c.trim());

    await page.getByRole("button", { name: "Copy codes" }).click();
    await page.getByText("Copied to the clipboard.").waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    for (const recoveryCode of recoveryCodes) expect(copied).toContain(recoveryCode);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download as text file" }).click()]);
    expect(download.suggestedFilename()).toBe("gatehouse-recovery-codes.txt");
    const saved = readFileSync((await download.path())!, "utf8");
    for (const recoveryCode of recoveryCodes) expect(saved).toContain(recoveryCode);
    await page.getByRole("button", { name: "I have saved them" }).click();

    // Another browser signs in; the code that just turned two-factor on is refused as already used.
    const other = await demo.newContext();
    const otherPage = await other.newPage();
    await otherPage.goto(demo.server.url);
    await logIn(otherPage, email, password);
    await otherPage.getByLabel("Authentication code").fill(code);
    await otherPage.getByRole("button", { name: "Verify" }).click();
    await expect.poll(() => otherPage.getByRole("alert").textContent()).toMatch(/already used/i);
    await otherPage.getByLabel("Authentication code").fill(recoveryCodes[0]!);
    await otherPage.getByRole("button", { name: "Verify" }).click();
    await signedIn(otherPage).waitFor();

    // Revoking that session asks first; cancelling keeps it.
    await page.getByRole("button", { name: "Reload list" }).click();
    const revoke = page.getByRole("button", { name: /^Revoke session:/ });
    await revoke.click();
    const confirm = page.getByRole("dialog", { name: "Revoke this session?" });
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await confirm.waitFor({ state: "detached" });
    expect(await revoke.count()).toBe(1);
    await revoke.click();
    await confirm.getByRole("button", { name: "Revoke session" }).click();
    await page.getByText("Session revoked").waitFor();
  });

  it("an admin finds users by email a page at a time, locks and unlocks one, changes a role, reads and verifies the audit log", async () => {
    // More users than one page holds, all starting alike.
    const prefix = `paged${Date.now()}`;
    for (let i = 0; i < 22; i++) {
      const response = await fetch(`${demo.server.url}/trpc/auth.signup`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Auth-Mode": "token" },
        body: JSON.stringify({ email: `${prefix}.${String(i).padStart(2, "0")}@example.com`, password: "a fine passphrase" }),
      });
      expect(response.status).toBe(200);
    }
    const target = { email: uniqueEmail("target"), password: "target passphrase" };
    const targetContext = await demo.newContext();
    const targetPage = await targetContext.newPage();
    await signUp(targetPage, target);
    await signedIn(targetPage).waitFor();

    const context = await demo.newContext();
    const page = await context.newPage();
    await page.goto(demo.server.url);
    await logIn(page, ADMIN.email, ADMIN.password);
    await signedIn(page).waitFor();
    // The account page also lists the admin's own activity.
    await reloadUntil(page, "Recent activity", /^Login success$/);
    await page.getByRole("link", { name: "Admin" }).click();
    await page.getByRole("heading", { name: "Admin", exact: true }).waitFor();
    expect(page.url()).toBe(`${demo.server.url}/admin`);
    const users = page.getByRole("list", { name: "Users" });

    // Found by the beginning of the address, in address order, 20 a page: .00–.19 on page 1, .20 and .21 on page 2.
    await page.getByLabel("Find by email").fill(prefix);
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByText(`Page 1, emails starting with "${prefix}".`).waitFor();
    await users.getByText(`${prefix}.00@example.com`).waitFor();
    expect(await users.getByRole("listitem").count()).toBe(20);
    await page.getByRole("button", { name: "Next page" }).click();
    await users.getByText(`${prefix}.21@example.com`).waitFor();
    expect(await users.getByRole("listitem").count()).toBe(2);
    await page.getByRole("button", { name: "Previous page" }).click();
    await users.getByText(`${prefix}.00@example.com`).waitFor();

    // Find the target by its whole address, and lock it with a reason.
    await page.getByLabel("Find by email").fill(target.email);
    await page.getByRole("button", { name: "Find" }).click();
    await users.getByText(target.email).waitFor();
    expect(await users.getByRole("listitem").count()).toBe(1);
    await page.getByRole("button", { name: `Lock ${target.email}`, exact: true }).click();
    const lockDialog = page.getByRole("dialog", { name: `Lock ${target.email}?` });
    await lockDialog.getByLabel("Reason (kept in the audit log)").fill("suspicious sign-ins");
    await lockDialog.getByRole("button", { name: "Lock account" }).click();
    await page.getByText(`${target.email} is locked`).waitFor();

    // The target's browser is signed out on its next call, and cannot sign in.
    await targetPage.getByRole("button", { name: "Reload list" }).click();
    await loginHeading(targetPage).waitFor();
    await logIn(targetPage, target.email, target.password);
    await expect.poll(() => targetPage.getByRole("alert").textContent()).toMatch(/disabled|locked/i);

    await page.getByRole("button", { name: `Unlock ${target.email}` }).click();
    await page.getByText(`${target.email} is unlocked`).waitFor();
    await targetPage.getByRole("button", { name: "Log in", exact: true }).click();
    await signedIn(targetPage).waitFor();

    await page.getByRole("button", { name: `Make ${target.email} an admin` }).click();
    await page
      .getByRole("dialog", { name: `Change the role of ${target.email}?` })
      .getByRole("button", { name: "Change role" })
      .click();
    await page.getByText(`${target.email} is now an admin.`).waitFor();
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}admin.png`, fullPage: true });
    await users.getByText(/^admin · /).waitFor();

    await reloadUntil(page, "Audit log", /role_changed/);
    await page.getByRole("button", { name: "Verify audit log" }).click();
    await page.getByText(/The audit log is intact: \d+ entries checked\./).waitFor();
  });
});
