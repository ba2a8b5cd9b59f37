import { freePort } from "@gatehouse/store/testing";
import { afterAll, beforeAll } from "vitest";
import { dataOf, startServer, type CallResult, type OutputOf, type StartOptions, type TestServer } from "../harness.js";
import { signInAtIdp } from "./idp-login.js";
import { startLocalIdp, type LocalIdp } from "./local-idp.js";

/** The redirect URI of an app signing in through the app flow (a CLI's loopback listener, RFC 8252 §7.3). */
export const APP_REDIRECT = "http://127.0.0.1:8765/oauth/callback";
export const PROVIDER = "acme";

export interface OAuthTestbed {
  server: TestServer;
  idp: LocalIdp;
  /** The server's public URL (APP_URL): on `localhost`, a different site from the IdP's 127.0.0.1. */
  appUrl: string;
  /** auth.oauthStart for the app redirect. */
  start(): Promise<{ authorizationUrl: string; state: string }>;
  /** Starts an app flow and signs in at the IdP as `login`: the code and state the app's redirect URI received. */
  codeFor(login: string, start?: { authorizationUrl: string; state: string }): Promise<{ code: string; state: string }>;
  /** auth.oauthFinish in token mode (with `bearer` when given). */
  finish(input: { code: string; state: string }, bearer?: string): Promise<CallResult<OutputOf<"auth.oauthFinish">>>;
  /** codeFor + finish. */
  signIn(login: string): Promise<CallResult<OutputOf<"auth.oauthFinish">>>;
  close(): Promise<void>;
}

/** Gatehouse with the local IdP configured as provider "acme", both on loopback. */
export async function startOAuthTestbed(options: StartOptions = {}): Promise<OAuthTestbed> {
  const port = await freePort();
  const appUrl = `http://localhost:${port}`;
  const idp = await startLocalIdp([`${appUrl}/oauth/${PROVIDER}/callback`, APP_REDIRECT]);
  const server = await startServer({
    port,
    appUrl,
    oauthProviders: [
      { id: PROVIDER, name: "Acme ID", issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, redirectUris: [APP_REDIRECT] },
    ],
    ...options,
  });
  const start = async () => {
    const started = await server.call("auth.oauthStart", { provider: PROVIDER, redirectUri: APP_REDIRECT }, { mode: "token" });
    if (started.status !== 200) throw new Error(`oauthStart answered ${started.status}: ${started.text}`);
    return dataOf(started);
  };
  const codeFor = async (login: string, started?: { authorizationUrl: string; state: string }) => {
    const flow = started ?? (await start());
    const landed = await signInAtIdp(flow.authorizationUrl, login, APP_REDIRECT);
    return { code: landed.searchParams.get("code")!, state: landed.searchParams.get("state")! };
  };
  const finish = (input: { code: string; state: string }, bearer?: string) =>
    server.call("auth.oauthFinish", { provider: PROVIDER, ...input }, { mode: "token", ...(bearer ? { bearer } : {}) });
  return {
    server,
    idp,
    appUrl,
    start,
    codeFor,
    finish,
    signIn: async (login) => finish(await codeFor(login)),
    async close() {
      await server.close();
      await idp.close();
    },
  };
}

/** One testbed for the whole file: started before its tests, closed after them; read it inside a test. */
export function useOAuthTestbed(): () => OAuthTestbed {
  let bed: OAuthTestbed | undefined;
  beforeAll(async () => {
    bed = await startOAuthTestbed();
  });
  afterAll(() => bed?.close());
  return () => {
    if (!bed) throw new Error("the testbed is read before beforeAll started it");
    return bed;
  };
}

let logins = 0;
/** A login name at the IdP that no other test uses. */
export const newLogin = (label: string) => `${label}-${Date.now()}-${logins++}`;
