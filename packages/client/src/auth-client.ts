import type { TRPCClient } from "@trpc/client";
import type { AccountFlows } from "./account-flows.js";
import type { AccountResources } from "./account-resources.js";
import type { AuthListener } from "./auth-events.js";
import type { ProviderFlows } from "./provider-flows.js";
import type { AppRouter } from "./router.js";
import type { SessionHint } from "./session-hint.js";
import type { AuthStatus } from "./session-keeper.js";
import type { LoginResult, SignedInResult, SignInMethods } from "./sign-in-methods.js";
import type { ReauthPrompt } from "./step-up.js";
import type { TokenStorage } from "./storage.js";
import type { TabSyncNames } from "./tab-sync.js";
import type { AuthMode, FetchLike } from "./transport.js";
import type { PublicUser } from "./wire.js";

export interface AuthClientOptions {
  /** The Gatehouse tRPC endpoint: `https://auth.example.com/trpc`, or `/trpc` when the app is served from the same origin. */
  url: string;
  /**
   * `cookie` (default; browsers): the refresh token stays in an HttpOnly cookie
   * only the browser can send. `token` (mobile, CLI, servers): the refresh token
   * comes back in the body and is kept in `storage`.
   */
  mode?: AuthMode;
  /** Token mode: where the refresh token and the device credential survive restarts. Defaults to memory. */
  storage?: TokenStorage;
  /** Defaults to the global `fetch`. Cookie mode calls it with `credentials: "include"`. */
  fetch?: FetchLike;
  /**
   * Coordination between tabs (Web Locks for refresh, BroadcastChannel for
   * tokens and logout). Defaults to on in a browser page in cookie mode and
   * off elsewhere; `true` or custom names turn it on wherever the APIs exist.
   */
  tabSync?: boolean | Partial<TabSyncNames>;
  /** The clock for token expiry, ms since the epoch. For tests with a fake clock. */
  now?: () => number;
  /**
   * The app's "confirm it's you" prompt, for calls refused with `reauth_required`
   * (Gatehouse's step-up procedures through `api` and the methods below, and
   * your own API through `authLink`): it gets `reauthenticate({ password, code? })`,
   * and the call is retried once after it. Without it such calls reject with
   * `reauth_required`.
   */
  onReauthRequired?: ReauthPrompt;
  /**
   * Cookie mode: whether a session may exist, asked before a restore. Defaults,
   * in a browser page on Gatehouse's host, to reading the `gh_session` cookie the
   * server sets beside the refresh cookie, so a signed-out page load sends no
   * refresh that is bound to fail; `false` always asks the server.
   */
  sessionHint?: boolean | SessionHint;
}

export interface AuthClient extends AccountFlows, AccountResources, SignInMethods, ProviderFlows {
  readonly mode: AuthMode;
  /** The signed-in user, or null (signed out, or not restored yet: see `status`). */
  readonly user: PublicUser | null;
  readonly status: AuthStatus;
  /**
   * The typed tRPC client for Gatehouse's own procedures, with the access token
   * attached and refreshed as needed: `client.api.auth.me.query()`. Sign in and
   * out through the methods below, not through `api.auth.login`/`logout`/`refresh`,
   * or the client will not know about it.
   */
  readonly api: TRPCClient<AppRouter>;
  /** Restores the session with one silent refresh (a reload keeps the user signed in). Also happens by itself on the first call. */
  restore(): Promise<PublicUser | null>;
  /** Refreshes now; usually not needed, the client refreshes before expiry and when a call is refused. */
  refresh(): Promise<PublicUser | null>;
  login(input: { email: string; password: string }): Promise<LoginResult>;
  /** Completes a login that answered `mfa-required`, with a TOTP or recovery code. */
  verifyMfa(input: { mfaToken: string; code: string }): Promise<SignedInResult>;
  signup(input: { email: string; password: string; name?: string }): Promise<SignedInResult>;
  /**
   * Ends this session on the server and forgets it here, in storage and in the
   * other tabs. The local sign-out always happens; it rejects only if the
   * server could not be told, so the UI can say the session may still be live.
   */
  logout(): Promise<void>;
  /** Ends every session of the user, on every device, then this one locally. */
  logoutAll(): Promise<void>;
  /** A usable access token (restored or refreshed first if needed), for calling other APIs with `Authorization: Bearer`. */
  getAccessToken(): Promise<string | null>;
  /** `{ Authorization: "Bearer …" }` with the current token, or `{}`: for an app's terminating tRPC link (see `authLink`). */
  readonly authHeaders: () => Record<string, string>;
  /**
   * Listens to the auth state; returns the unsubscribe. The first event is
   * `initial` (the user, or null), as soon as the state is known: subscribing
   * starts the restore if nothing has yet.
   */
  subscribe(listener: AuthListener): () => void;
  /** Stops the refresh timer and leaves the tab channel. */
  dispose(): void;
}
