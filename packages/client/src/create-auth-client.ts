import { createTRPCClient, httpLink, type TRPCClient } from "@trpc/client";
import type { AppRouter } from "./router.js";
import { createAccountFlows, type AccountFlows } from "./account-flows.js";
import { createAccountResources, type AccountResources } from "./account-resources.js";
import type { AuthListener } from "./auth-events.js";
import { authLinkFor, registerAuthClient, type LinkedSession } from "./auth-link.js";
import { endsSession, GatehouseError, needsNewAccessToken, reasonOf, rethrowAsGatehouseError } from "./errors.js";
import { sessionHintFor, type SessionHint } from "./session-hint.js";
import { createSessionKeeper, type AuthStatus } from "./session-keeper.js";
import { createSignInMethods, type LoginResult, type SignedInResult, type SignInMethods } from "./sign-in-methods.js";
import { createProviderFlows, type ProviderFlows } from "./provider-flows.js";
import { createStepUp, type ReauthPrompt } from "./step-up.js";
import { memoryStorage, type TokenStorage } from "./storage.js";
import { createTabSync, DEFAULT_TAB_SYNC_NAMES, looksLikeBrowserPage, noTabSync, type TabSyncNames } from "./tab-sync.js";
import { createTransport, type AuthMode, type FetchLike } from "./transport.js";
import { isMfaChallenge, type PublicUser } from "./wire.js";

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

export type { LoginResult, SignedInResult };

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

export function createAuthClient(options: AuthClientOptions): AuthClient {
  const mode = options.mode ?? "cookie";
  if (typeof options.url !== "string" || options.url === "") throw new TypeError("createAuthClient needs the Gatehouse tRPC url, e.g. https://auth.example.com/trpc.");
  if (mode !== "cookie" && mode !== "token") throw new TypeError('mode must be "cookie" or "token".');
  // In cookie mode the refresh token is out of script reach by design: there is nothing to store.
  if (mode === "cookie" && options.storage) throw new TypeError("storage is for token mode; cookie mode keeps the refresh token in an HttpOnly cookie.");

  const transport = createTransport({ url: options.url, mode, fetch: options.fetch });
  const keeper = createSessionKeeper({
    mode,
    transport,
    storage: options.storage ?? memoryStorage(),
    tabSync: tabSyncFor(mode, options.tabSync),
    now: options.now ?? Date.now,
    sessionHint: mode === "cookie" ? sessionHintFor(options.url, options.sessionHint) : undefined,
  });

  const authHeaders = (): Record<string, string> => {
    const token = keeper.currentAccessToken();
    return token ? { Authorization: `Bearer ${token}` } : {};
  };

  const linked: LinkedSession = { keeper, stepUp: createStepUp(keeper), onReauthRequired: options.onReauthRequired };
  const api = createTRPCClient<AppRouter>({
    links: [
      authLinkFor<AppRouter>(linked, { onReauthRequired: options.onReauthRequired }),
      httpLink({ url: options.url, fetch: transport.fetch, headers: () => ({ ...transport.modeHeaders, ...authHeaders() }) }),
    ],
  });

  const signedIn = async (tokens: Parameters<typeof keeper.signIn>[0]): Promise<SignedInResult> => ({ status: "signed-in", user: await keeper.signIn(tokens) });

  const client: AuthClient = {
    ...createAccountFlows(api, transport, keeper),
    ...createAccountResources(api, keeper),
    ...createSignInMethods(api, transport, keeper),
    ...createProviderFlows(api, transport, keeper),
    mode,
    get user() {
      return keeper.user;
    },
    get status() {
      return keeper.status;
    },
    api,
    restore: () => keeper.restore(),
    refresh: () => keeper.refresh(),

    async login({ email, password }) {
      await keeper.refreshSettled();
      const deviceToken = await keeper.deviceToken();
      const answer = await transport.login({ email, password, ...(deviceToken ? { deviceToken } : {}) }).catch(rethrowAsGatehouseError);
      if (isMfaChallenge(answer)) return { status: "mfa-required", mfaToken: answer.mfaToken };
      return signedIn(answer);
    },

    async verifyMfa(input) {
      await keeper.refreshSettled();
      return signedIn(await transport.verifyMfa(input).catch(rethrowAsGatehouseError));
    },

    async signup(input) {
      await keeper.refreshSettled();
      return signedIn(await transport.signup(input).catch(rethrowAsGatehouseError));
    },

    async logout() {
      // A refresh still in flight could set a rotated cookie after ours is cleared.
      await keeper.refreshSettled();
      let failure: unknown;
      try {
        // Cookie mode: the refresh cookie is scoped to /trpc/auth.refresh and does
        // not reach auth.logout, so the access token must name the session; get a live one.
        const accessToken = mode === "cookie" ? await keeper.accessTokenForCall() : keeper.isSpent() ? null : keeper.currentAccessToken();
        const refreshToken = (await keeper.storedRefreshToken()) ?? undefined;
        if (accessToken !== null || refreshToken !== undefined) await transport.logout(accessToken, refreshToken);
      } catch (error) {
        failure = error;
      }
      await keeper.signOutLocally();
      // A session the server already considers dead is as logged out as it gets.
      if (failure !== undefined && !needsNewAccessToken(failure) && !endsSession(failure) && reasonOf(failure) !== "token_invalid") throw GatehouseError.from(failure);
    },

    async logoutAll() {
      await api.auth.logoutAll.mutate().catch(rethrowAsGatehouseError);
      await keeper.signOutLocally();
    },

    getAccessToken: () => keeper.accessTokenForCall(),
    authHeaders,
    subscribe(listener) {
      const unsubscribe = keeper.subscribe(listener);
      // A failed restore (offline) leaves the state unknown; the app's own restore() call reports it.
      if (keeper.status === "unknown") keeper.restore().catch(() => undefined);
      return unsubscribe;
    },
    dispose: () => keeper.dispose(),
  };
  registerAuthClient(client, linked);
  return client;
}

function tabSyncFor(mode: AuthMode, option: AuthClientOptions["tabSync"]) {
  const enabled = option === undefined ? mode === "cookie" && looksLikeBrowserPage() : option !== false;
  if (!enabled) return noTabSync;
  return createTabSync({ ...DEFAULT_TAB_SYNC_NAMES, ...(typeof option === "object" ? option : {}) });
}
