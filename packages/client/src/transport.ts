import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client";
import type { AppRouter } from "./router.js";
import { GatehouseError } from "./errors.js";
import type { GatehouseInputs, GatehouseOutputs } from "./procedure-types.js";
import { isMfaChallenge, type MfaChallenge, type TokenSet } from "./wire.js";

export type AuthMode = "cookie" | "token";

/** What `auth.oauthFinish` answers for a link flow: the identity is linked, no new session. */
export interface ProviderLinked {
  linked: true;
  account: { provider: string; email: string | null; linkedAt: string };
}

/** The global `fetch` fits; so does any function with its signature (a cookie jar in tests, a proxy-aware fetch). */
export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface TransportOptions {
  /** The tRPC endpoint, e.g. `https://auth.example.com/trpc` or `/trpc` on the same origin. */
  url: string;
  mode: AuthMode;
  fetch?: FetchLike | undefined;
}

/**
 * `auth.verifyMfa` as the typed proxy has it once the router declares it, and
 * until then a plain call by path: the request is the same either way, and
 * this compiles against the router with or without it.
 */
type VerifyMfaProcedure = TRPCClient<AppRouter>["auth"] extends { verifyMfa: infer Procedure }
  ? Procedure
  : { mutate(input: { mfaToken: string; code: string }): Promise<unknown> };

/** The per-call context key through which the SDK hands the HTTP link the access token for that call. */
const ACCESS_TOKEN = "gatehouseAccessToken";

function bearer(token: unknown): Record<string, string> {
  return typeof token === "string" && token ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * How requests reach Gatehouse in the chosen mode: cookie mode sends
 * credentials (the refresh cookie is HttpOnly, so only the browser can attach
 * it), token mode sends none and says so with `X-Auth-Mode: token`.
 */
export function createTransport(options: TransportOptions) {
  const modeHeaders: Record<string, string> = options.mode === "token" ? { "X-Auth-Mode": "token" } : {};
  const credentials: RequestCredentials = options.mode === "cookie" ? "include" : "omit";
  // Looked up per call, not at creation: an app may install or wrap the global fetch later.
  const fetchForMode: FetchLike = (input, init) => (options.fetch ?? globalThis.fetch)(input, { ...init, credentials });

  // The SDK's own session calls. One HTTP request per call, never batched: the
  // refresh cookie is scoped to exactly /trpc/auth.refresh and would not ride
  // along on a batch URL. No auth link in front: a refresh must not wait for a refresh.
  const sessionCalls = createTRPCClient<AppRouter>({
    links: [httpLink({ url: options.url, fetch: fetchForMode, headers: ({ op }) => ({ ...modeHeaders, ...bearer(op.context[ACCESS_TOKEN]) }) })],
  });
  const verifyMfaProcedure = (sessionCalls.auth as unknown as { verifyMfa: VerifyMfaProcedure }).verifyMfa;

  return {
    url: options.url,
    modeHeaders,
    fetch: fetchForMode,

    signup: (input: { email: string; password: string; name?: string }): Promise<TokenSet> => sessionCalls.auth.signup.mutate(input),

    // Typed as a union already: the MFA-enabled login answers a challenge instead of tokens.
    login: (input: { email: string; password: string; deviceToken?: string }): Promise<TokenSet | MfaChallenge> => sessionCalls.auth.login.mutate(input),

    async verifyMfa(input: { mfaToken: string; code: string }): Promise<TokenSet> {
      const answer: unknown = await verifyMfaProcedure.mutate(input);
      if (!isTokenSet(answer)) throw new GatehouseError("auth.verifyMfa answered without tokens.");
      return answer;
    },

    // The other ways to sign in: the same plain calls, so the answer's cookies land as a login's do.
    requestEmailCode: (input: { email: string }): Promise<{ ok: true }> => sessionCalls.auth.requestEmailCode.mutate(input),
    loginWithEmailCode: (input: GatehouseInputs["auth"]["loginWithEmailCode"]): Promise<TokenSet | MfaChallenge> =>
      sessionCalls.auth.loginWithEmailCode.mutate(input),
    passkeyOptions: (input: { email?: string }): Promise<GatehouseOutputs["auth"]["passkeyOptions"]> => sessionCalls.auth.passkeyOptions.mutate(input),
    loginWithPasskey: (input: GatehouseInputs["auth"]["loginWithPasskey"]): Promise<TokenSet> => sessionCalls.auth.loginWithPasskey.mutate(input),

    // The public account flows: nothing to wait for or refresh, whatever the session's state.
    requestPasswordReset: (input: { email: string }): Promise<{ ok: true }> => sessionCalls.auth.requestPasswordReset.mutate(input),
    resetPassword: (input: { token: string; password: string }): Promise<{ ok: true }> => sessionCalls.auth.resetPassword.mutate(input),
    /** With the signed-in session's access token, if any: the server then keeps that session when the first confirmation ends the others. */
    verifyEmail: (input: { token: string }, accessToken: string | null): Promise<{ ok: true }> =>
      sessionCalls.auth.verifyEmail.mutate(input, { context: { [ACCESS_TOKEN]: accessToken } }),

    /** A provider sign-in's end (it may set the refresh cookie), with the session's access token for a link flow. */
    oauthFinish: (
      input: { provider: string; code: string; state: string; deviceToken?: string },
      accessToken: string | null,
    ): Promise<TokenSet | MfaChallenge | ProviderLinked> => sessionCalls.auth.oauthFinish.mutate(input, { context: { [ACCESS_TOKEN]: accessToken } }),

    /** Cookie mode presents the cookie (the browser attaches it); token mode presents `refreshToken` in the body. */
    refresh: (refreshToken: string | undefined): Promise<TokenSet> =>
      sessionCalls.auth.refresh.mutate(refreshToken === undefined ? undefined : { refreshToken }),

    /** Step-up: same session, a new access token with a fresh authentication time (no refresh token). */
    reauthenticate: (accessToken: string, input: { password: string; code?: string | undefined }): Promise<TokenSet> =>
      sessionCalls.auth.reauthenticate.mutate(input.code ? { password: input.password, code: input.code } : { password: input.password }, {
        context: { [ACCESS_TOKEN]: accessToken },
      }),

    logout: (accessToken: string | null, refreshToken: string | undefined): Promise<{ ok: true }> =>
      sessionCalls.auth.logout.mutate(refreshToken === undefined ? undefined : { refreshToken }, { context: { [ACCESS_TOKEN]: accessToken } }),
  };
}

export type Transport = ReturnType<typeof createTransport>;

function isTokenSet(value: unknown): value is TokenSet {
  if (typeof value !== "object" || value === null || isMfaChallenge(value)) return false;
  const tokens = value as Partial<TokenSet>;
  return typeof tokens.accessToken === "string" && typeof tokens.expiresIn === "number" && typeof tokens.user === "object" && tokens.user !== null;
}
