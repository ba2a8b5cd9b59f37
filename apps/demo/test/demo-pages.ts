import type { Page } from "playwright-core";

// What the demo's pages show and how a user fills them in, shared by the Chromium tests.

export const signedIn = (page: Page) => page.getByRole("heading", { name: "Your account" });
export const loginHeading = (page: Page) => page.getByRole("heading", { name: "Log in" });

let counter = 0;
export const uniqueEmail = (label: string) => `${label}.${Date.now()}.${counter++}@example.com`;

/** Opens the demo at `url` and sends its sign-up form. */
export async function fillSignUp(page: Page, url: string, user: { email: string; password: string; name?: string }): Promise<void> {
  await page.goto(url);
  await loginHeading(page).waitFor();
  await page.getByRole("button", { name: "Create an account" }).click();
  if (user.name) await page.getByLabel("Name (optional)").fill(user.name);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
}

/** Sends the login form, once it shows. */
export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await loginHeading(page).waitFor();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
}
