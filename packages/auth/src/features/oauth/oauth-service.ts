import type { Clock } from "@gatehouse/store";
import { generateSecretToken, sha256Hex } from "../../crypto/random.js";
import { AuthError } from "../../errors.js";
import type { RequestMeta } from "../../request-meta.js";
import type { AccountsService } from "../accounts/accounts-service.js";
import type { LoginResult } from "../sign-in/sign-in-service.js";
import { isSessionLive, type SessionRecord, type SessionStore } from "../sessions/session-store.js";
import type { UserRecord } from "../users/user-record.js";
import type { UserStore } from "../users/user-store.js";
import { assertRegisteredRedirect } from "./app-redirect.js";
import type { FlowRecord, FlowReturn, OAuthFlows } from "./flows.js";
import type { OAuthProviderConfig } from "./provider-config.js";
import type { ProviderSignIn } from "./provider-sign-in.js";

export interface OAuthServiceDeps {
  clock: Clock;
  users: UserStore;
  sessions: SessionStore;
  accounts: AccountsService;
  flows: OAuthFlows;
  providerSignIn: ProviderSignIn;
  configs: readonly OAuthProviderConfig[];
  appUrl: string;
}

export type FinishResult = { signedIn: LoginResult } | { linked: { provider: string; email: string | null; linkedAt: string } };

/** A browser flow: the binding cookie's value goes to the browser, only its hash into the flow. */
const browserBinding = () => generateSecretToken(32);

/** Sign-in and linking with the configured providers, in the browser (this server's callback) or in an app (its own redirect URI). */
export function createOAuthService(deps: OAuthServiceDeps) {
  const { clock, users, sessions, accounts, flows } = deps;
  const configOf = new Map(deps.configs.map((config) => [config.id, config]));
  const callbackUri = (provider: string) => `${deps.appUrl.replace(/\/$/, "")}/oauth/${provider}/callback`;

  function appRedirect(provider: string, redirectUri: string): string {
    flows.providerOf(provider);
    assertRegisteredRedirect(configOf.get(provider)!.redirectUris, redirectUri, provider);
    return redirectUri;
  }

  /** The account and session a link flow was started from, if both still stand. */
  async function linkingUser(flow: FlowRecord): Promise<UserRecord> {
    const [user, session] = await Promise.all([users.get(flow.userId!), sessions.get(flow.sessionId!)]);
    if (!user || !session || user.disabledAt !== null || !isSessionLive(session, user.sessionGeneration, clock())) {
      throw new AuthError("token_revoked", { message: "The session that started linking has ended: sign in and link again." });
    }
    return user;
  }

  return {
    providers: () => deps.configs.map((config) => ({ id: config.id, name: flows.providerOf(config.id).name })),

    /** Browser sign-in: where to send the person, and the binding cookie's value. */
    async startInBrowser(provider: string, returnTo: string, request: RequestMeta): Promise<{ authorizationUrl: string; binding: string }> {
      const binding = browserBinding();
      const { authorizationUrl } = await flows.start(
        provider,
        { purpose: "sign_in", redirectUri: callbackUri(provider), returnTo, browserBinding: sha256Hex(binding) },
        request,
      );
      return { authorizationUrl, binding };
    },

    startInApp: (provider: string, redirectUri: string, request: RequestMeta) =>
      flows.start(provider, { purpose: "sign_in", redirectUri: appRedirect(provider, redirectUri) }, request),

    /** Linking from a signed-in session: finished by the browser callback (binding cookie) or, with `redirectUri`, by the app. */
    async startLink(caller: { user: UserRecord; session: SessionRecord }, provider: string, redirectUri: string | undefined, request: RequestMeta) {
      const owner = { purpose: "link" as const, userId: caller.user.id, sessionId: caller.session.id };
      if (redirectUri !== undefined)
        return { ...(await flows.start(provider, { ...owner, redirectUri: appRedirect(provider, redirectUri) }, request)), binding: undefined };
      const binding = browserBinding();
      const started = await flows.start(provider, { ...owner, redirectUri: callbackUri(provider), returnTo: "/", browserBinding: sha256Hex(binding) }, request);
      return { ...started, binding };
    },

    takeFlow: flows.take,

    /**
     * Redeems the flow's response and signs in or links. `callerUserId`: who
     * calls, for an app finishing a link (only the account that started it may).
     */
    async finish(
      flow: FlowRecord,
      state: string,
      returned: FlowReturn,
      request: RequestMeta,
      options: { deviceToken?: string; callerUserId?: () => Promise<string | undefined> } = {},
    ): Promise<FinishResult> {
      flows.assertReturnedAsStarted(flow, returned, request);
      if (flow.purpose === "link" && returned.via === "app" && (await options.callerUserId?.()) !== flow.userId) {
        throw new AuthError("forbidden", { message: "Finish linking with the access token of the account that started it." });
      }
      const identity = await flows.redeem(flow, state, returned, request);
      if (flow.purpose === "sign_in") return { signedIn: await deps.providerSignIn.signIn(flow.provider, identity, request, options.deviceToken) };
      const user = await linkingUser(flow);
      await accounts.link(user, { provider: flow.provider, subject: identity.subject, email: identity.email ?? null, linkedAt: clock() }, "requested", request);
      const linked = (await accounts.list(user)).find((account) => account.provider === flow.provider)!;
      return { linked };
    },
  };
}

export type OAuthService = ReturnType<typeof createOAuthService>;
