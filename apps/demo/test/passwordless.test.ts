import { mkdirSync } from "node:fs";
import { type BrowserContext, type Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { linkInHtml, readOutbox, type OutboxMail } from "./support.js";
import { ARTIFACTS, UI_TIMEOUT, useDemo } from "./demo-under-test.js";
import { fillSignUp, loginHeading, signedIn, uniqueEmail } from "./demo-pages.js";

/** The app's public URL is on a host name, as WebAuthn wants (http://localhost is a secure context). */
const demo = useDemo({
  appHost: "localhost",
  outbox: true,
  env: () => ({
    AUTH_LIMITS: JSON.stringify({ "login.ip": "1000/1m", "login.email": "1000/1m", "signup.ip": "1000/1m", "emailCode.email": "100/1m", default: "10000/1m" }),
  }),
});

/**
 * A tab with Chromium's virtual authenticator (DevTools protocol): CTAP2, built
 * in, resident keys, user verification that succeeds, presence answered at once.
 * It stands for the device's platform authenticator; everything else is the real browser.
 */
async function tabWithAuthenticator(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return page;
}

const passkeyList = (page: Page) => page.getByRole("list", { name: "Passkeys" });

async function signUp(page: Page, email: string): Promise<void> {
  await fillSignUp(page, demo.appUrl, { email, password: "a passphrase for the demo" });
  await signedIn(page).waitFor();
}

async function logOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Log out", exact: true }).click();
  await loginHeading(page).waitFor();
}

/** The newest sign-in mail to `to`, once the server has written it (a later one than `after`, when given). */
async function signInMail(to: string, after?: OutboxMail): Promise<{ mail: OutboxMail; code: string }> {
  let found: OutboxMail | undefined;
  await expect
    .poll(
      () =>
        (found = readOutbox(demo.outboxDir)
          .filter((m) => m.to === to && m.subject === "Your sign-in code" && m !== after && m.text !== after?.text)
          .at(-1)),
      { timeout: UI_TIMEOUT },
    )
    .toBeDefined();
  const code = /\b(\d{6})\b/.exec(found!.text)?.[1];
  if (!code) throw new Error("no code in the mail");
  return { mail: found!, code };
}

describe("passkeys in the demo (Chromium's virtual authenticator)", () => {
  it("adds a passkey, signs in with it without and with the email typed, removes it, and is then refused", async () => {
    const context = await demo.newContext();
    const page = await tabWithAuthenticator(context);
    const email = uniqueEmail("passkey");
    await signUp(page, email);

    await expect.poll(() => passkeyList(page).textContent()).toContain("No passkeys yet.");
    await page.getByLabel("Label for a new passkey").fill("Demo laptop");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByRole("status").filter({ hasText: 'Passkey "Demo laptop" added' }).waitFor();
    await expect.poll(() => passkeyList(page).textContent()).toContain("Demo laptop");
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}passkeys-card.png`, fullPage: true });

    // No email typed: the browser offers the passkeys it holds for this site.
    await logOut(page);
    const optionsAsked = page.waitForRequest((request) => request.url().endsWith("/trpc/auth.passkeyOptions"));
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    expect((await optionsAsked).postDataJSON()).toEqual({});
    await signedIn(page).waitFor();
    await page.getByText(`Signed in as ${email}`).waitFor();

    // Email typed: that account's passkeys only.
    await logOut(page);
    await page.getByLabel("Email").fill(email);
    const optionsForEmail = page.waitForRequest((request) => request.url().endsWith("/trpc/auth.passkeyOptions"));
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    expect((await optionsForEmail).postDataJSON()).toEqual({ email });
    await signedIn(page).waitFor();
    // Listed with when it was last used.
    await expect.poll(() => passkeyList(page).textContent()).toMatch(/last used (?!—)/);

    // A reload keeps the passkey session, like any other.
    await page.reload();
    await signedIn(page).waitFor();

    await page.getByRole("button", { name: "Remove passkey Demo laptop" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Remove passkey" }).click();
    await page.getByRole("status").filter({ hasText: 'Passkey "Demo laptop" removed' }).waitFor();
    await expect.poll(() => passkeyList(page).textContent()).toContain("No passkeys yet.");

    // The device still holds it; the server no longer knows it.
    await logOut(page);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("That passkey could not be verified");
    await loginHeading(page).waitFor();
  });
});

describe("email sign-in codes in the demo", () => {
  it("signs in with the code from the mail; a wrong code is refused at the field", async () => {
    const context = await demo.newContext();
    const page = await context.newPage();
    const email = uniqueEmail("code");
    await signUp(page, email);
    await logOut(page);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}sign-in-options.png`, fullPage: true });
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Email me a code" }).click();
    await page.getByRole("heading", { name: "Sign in with a code" }).waitFor();
    expect(await page.getByLabel("Email").inputValue()).toBe(email);
    await page.getByRole("button", { name: "Email me a code" }).click();
    await page.getByRole("heading", { name: "Enter your code" }).waitFor();
    const { code } = await signInMail(email);

    await page.getByLabel("Code from the mail").fill(code === "000000" ? "000001" : "000000");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("That code is wrong, expired or already used");
    await expect.poll(() => page.getByLabel("Code from the mail").getAttribute("aria-invalid")).toBe("true");

    await page.getByLabel("Code from the mail").fill(code);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await signedIn(page).waitFor();
  });

  it("the mail's one-click link signs in on the device that opens it, and takes its token out of the address", async () => {
    const asking = await demo.newContext();
    const askingPage = await asking.newPage();
    const email = uniqueEmail("link");
    await signUp(askingPage, email);
    await logOut(askingPage);
    await askingPage.getByRole("button", { name: "Email me a code" }).click();
    await askingPage.getByLabel("Email").fill(email);
    await askingPage.getByRole("button", { name: "Email me a code" }).click();
    await askingPage.getByRole("heading", { name: "Enter your code" }).waitFor();
    const { mail } = await signInMail(email);
    await asking.close();

    const link = linkInHtml(mail);
    expect(link).toMatch(new RegExp(`^${demo.appUrl}/sign-in-code\\?token=[\\w-]+$`));
    const opening = await demo.newContext();
    const page = await opening.newPage();
    await page.goto(link);
    await signedIn(page).waitFor();
    expect(page.url()).toBe(`${demo.appUrl}/`);
    await page.getByText(`Signed in as ${email}`).waitFor();

    // Used once: the same link again says so, with the way back.
    await logOut(page);
    await page.goto(link);
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("invalid, expired or already used");
    await page.getByRole("button", { name: "Back to log in" }).click();
    await loginHeading(page).waitFor();
  });
});
