import { createTRPCClient, httpLink } from "@trpc/client";
import type { AppRouter } from "./router.js";
import { createAccountFlows } from "./account-flows.js";
import { createAccountResources } from "./account-resources.js";
import type { AuthClient, AuthClientOptions } from "./auth-client.js";
import { authLinkFor, registerAuthClient, type LinkedSession } from "./auth-link.js";
import { endsSession, GatehouseError, needsNewAccessToken, reasonOf, rethrowAsGatehouseError } from "./errors.js";
import { sessionHintFor } from "./session-hint.js";
import { createSessionKeeper } from "./session-keeper.js";
import { createSignInMethods, type LoginResult, type SignedInResult } from "./sign-in-methods.js";
import { createProviderFlows } from "./provider-flows.js";
import { createStepUp } from "./step-up.js";
import { memoryStorage } from "./storage.js";
import { createTabSync, DEFAULT_TAB_SYNC_NAMES, looksLikeBrowserPage, noTabSync } from "./tab-sync.js";
import { createTransport, type AuthMode } from "./transport.js";
import { isMfaChallenge } from "./wire.js";

export type { AuthClient, AuthClientOptions, LoginResult, SignedInResult };

export function createAuthClient(options: AuthClientOptions): AuthClient {
  const mode = options.mode ?? "cookie";
  if (typeof options.url !== "string" || options.url === "")
    throw new TypeError("createAuthClient needs the Gatehouse tRPC url, e.g. https://auth.example.com/trpc.");
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
      if (failure !== undefined && !needsNewAccessToken(failure) && !endsSession(failure) && reasonOf(failure) !== "token_invalid")
        throw GatehouseError.from(failure);
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
