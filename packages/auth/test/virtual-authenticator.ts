import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, CDPSession, Page } from "playwright-core";
import type { InputOf } from "./harness.js";

/** WebAuthn JSON (`toJSON()`) as the server's schemas read it. */
export type RegistrationJSON = InputOf<"passkeys.register">["response"];
export type AssertionJSON = InputOf<"auth.loginWithPasskey">["response"];

/**
 * A page of "the app": an empty document on http://localhost:<port>, a secure
 * context whose origin is the relying party's (APP_URL). The server under test
 * is called from Node; the page only runs the browser's WebAuthn ceremonies.
 */
export async function serveAppOrigin(): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end("<!doctype html><title>app</title>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://localhost:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The few page globals the ceremonies use (this package is typed without the DOM library). */
interface WebAuthnPage {
  navigator: { credentials: Record<"create" | "get", (options: { publicKey: unknown }) => Promise<{ toJSON(): Record<string, unknown> }>> };
  PublicKeyCredential: { parseCreationOptionsFromJSON(json: unknown): unknown; parseRequestOptionsFromJSON(json: unknown): unknown };
}

export interface AuthenticatorOptions {
  /** False: an authenticator with no PIN or biometric (a plain security key), proving possession only. */
  userVerification?: boolean;
}

export interface AuthenticatorTab {
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
  /** navigator.credentials.create() with the server's creation options; the credential as WebAuthn JSON (`toJSON()`). */
  create(options: unknown): Promise<RegistrationJSON>;
  /** navigator.credentials.get() with the server's request options; the assertion as WebAuthn JSON. */
  get(options: unknown): Promise<AssertionJSON>;
  /** Sets a stored credential's signature counter, as a cloned authenticator would hold it. */
  setSignCount(credentialId: string, signCount: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A tab at `origin` with Chromium's virtual authenticator (DevTools protocol,
 * WebAuthn domain): CTAP2, built in, resident keys, user verification, and
 * presence answered at once. The browser does the real ceremony: client data,
 * origin checks, signatures and counters are Chromium's own.
 */
export async function openAuthenticatorTab(browser: Browser, origin: string, options: AuthenticatorOptions = {}): Promise<AuthenticatorTab> {
  const page = await browser.newPage();
  await page.goto(origin);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: options.userVerification ?? true,
      isUserVerified: options.userVerification ?? true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    page,
    cdp,
    authenticatorId,
    // The browser's own JSON forms of the ceremony (WebAuthn L3 parse…FromJSON, toJSON).
    create: (json) =>
      page.evaluate(async (json) => {
        const { navigator, PublicKeyCredential } = globalThis as unknown as WebAuthnPage;
        return (await navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(json) })).toJSON();
      }, json) as Promise<RegistrationJSON>,
    get: (json) =>
      page.evaluate(async (json) => {
        const { navigator, PublicKeyCredential } = globalThis as unknown as WebAuthnPage;
        return (await navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(json) })).toJSON();
      }, json) as Promise<AssertionJSON>,
    async setSignCount(credentialId, signCount) {
      const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
      const credential = credentials.find((c) => Buffer.from(c.credentialId, "base64").toString("base64url") === credentialId);
      if (!credential) throw new Error("the authenticator does not hold that credential");
      await cdp.send("WebAuthn.removeCredential", { authenticatorId, credentialId: credential.credentialId });
      await cdp.send("WebAuthn.addCredential", { authenticatorId, credential: { ...credential, signCount } });
    },
    close: () => page.close(),
  };
}
