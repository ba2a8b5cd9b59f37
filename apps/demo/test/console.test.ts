import { mkdirSync } from "node:fs";
import { type Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { ARTIFACTS, useDemo } from "./demo-under-test.js";

const demo = useDemo();

const responseBody = (page: Page) => page.getByLabel("Response body");

async function send(page: Page, procedure: string, input?: unknown): Promise<void> {
  await page.getByLabel("Procedure", { exact: true }).selectOption(procedure);
  if (input !== undefined) await page.getByLabel("Input (JSON)").fill(JSON.stringify(input));
  await page.getByRole("button", { name: "Send" }).click();
}

describe("the procedure console in Chromium", () => {
  it("lists the procedures of /openapi.json, calls a public one signed out, and one with the session's access token signed in", async () => {
    const context = await demo.newContext();
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    const sentAuthorization: Array<string | undefined> = [];
    page.on("request", (request) => {
      if (request.url().includes("/trpc/auth.me") && page.url().includes("/console.html")) sentAuthorization.push(request.headers().authorization);
    });

    // Signed out: reachable from the app's page, procedures from the document, input prefilled from the schema.
    await page.goto(demo.server.url);
    await page.getByRole("link", { name: "API console" }).click();
    await page.getByRole("heading", { name: "API console" }).waitFor();
    await page.getByText("Not signed in").waitFor();
    const doc = (await (await fetch(`${demo.server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId: string }>> };
    const listed = await page
      .getByLabel("Procedure", { exact: true })
      .locator("option")
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(listed.sort()).toEqual(
      Object.values(doc.paths)
        .flatMap((item) => Object.values(item).map((op) => op.operationId))
        .sort(),
    );
    await page.getByLabel("Procedure", { exact: true }).selectOption("auth.signup");
    expect(JSON.parse(await page.getByLabel("Input (JSON)").inputValue())).toEqual({ email: "ada@example.com", password: "" });

    // A public procedure, signed out: its answer, status and headers.
    await send(page, "auth.signup", { email: "grace@example.com", password: "compiler first draft", name: "Grace" });
    await page.getByText("200 OK").waitFor();
    // Token mode by default: the tokens are shown here, and this browser's session cookie is left alone.
    expect(JSON.parse((await responseBody(page).textContent())!)).toMatchObject({
      result: { data: { user: { email: "grace@example.com", name: "Grace" }, refreshToken: expect.any(String) } },
    });
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain("refresh_token");
    await page.getByRole("rowheader", { name: "x-request-id" }).waitFor();
    await page.getByRole("rowheader", { name: "x-ratelimit-remaining" }).waitFor();

    // A mistake shows the server's refusal as it is.
    await send(page, "auth.me");
    await page.getByText("401 Unauthorized").waitFor();
    expect(await responseBody(page).textContent()).toContain('"reason": "token_invalid"');

    // Signed in through the app: the console sends the SDK's access token.
    await page.getByRole("link", { name: "Back to your account" }).click();
    await page.getByRole("button", { name: "Create an account" }).click();
    await page.getByLabel("Email").fill("ada.lovelace@example.com");
    await page.getByLabel("Password", { exact: true }).fill("analytical engine notes");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Your account" }).waitFor();
    await page.getByRole("link", { name: "API console" }).click();
    await page.getByText("Signed in as ada.lovelace@example.com").waitFor();
    await send(page, "auth.me");
    await page.getByText("200 OK").waitFor();
    expect(JSON.parse((await responseBody(page).textContent())!).result.data.user.email).toBe("ada.lovelace@example.com");
    expect(sentAuthorization).toEqual([undefined, expect.stringMatching(/^Bearer eyJ/)]);
    expect(page.url()).toMatch(/\/console\.html#auth\.me$/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}console.png`, fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
