import type { Clock, Store } from "@gatehouse/store";
import * as oidc from "openid-client";
import { createOneTimeTokens } from "../../crypto/one-time-tokens.js";
import { constantTimeEqual, sha256Hex } from "../../crypto/random.js";
import { AuthError } from "../../errors.js";
import type { Events } from "../../events/events.js";
import type { RequestMeta } from "../../request-meta.js";
import type { ProviderClient, ProviderIdentity } from "./providers/provider-client.js";
import { STORE_KEYS } from "../../store-keys.js";

/** How long a person may take at the provider before the sign-in must be started again. */
export const FLOW_TTL_MS = 10 * 60_000;

/** What the server holds between the start of a provider sign-in and its return: nothing of it travels but the state. */
export interface FlowRecord {
  provider: string;
  purpose: "sign_in" | "link";
  /** Where the provider sends the code: this server's callback (browser) or the app's own redirect URI. */
  redirectUri: string;
  nonce: string;
  codeVerifier: string;
  /** Browser flows: the app path to return to, and the SHA-256 of the cookie that ties the flow to the browser that started it. */
  returnTo?: string;
  browserBinding?: string;
  /** Link flows: the account and session that asked. */
  userId?: string;
  sessionId?: string;
}

export type FlowStart = Omit<FlowRecord, "provider" | "nonce" | "codeVerifier">;

/** How the response comes back: to the callback in the browser that holds the binding cookie, or from an app as `{code, state}`. */
export type FlowReturn = { via: "browser"; binding: string | undefined; query: URLSearchParams } | { via: "app"; code: string };

/** Codes of errors from openid-client and the provider, and the name of a claim that failed its check: safe to log (never a value, token or secret). */
function failureDetail(error: unknown): string {
  const { code, error: oauthError, cause } = (error ?? {}) as { code?: unknown; error?: unknown; cause?: { cause?: { claim?: unknown } } };
  // openid-client wraps oauth4webapi's error, whose own cause names the claim.
  return [code, oauthError, cause?.cause?.claim].filter((part) => typeof part === "string").join(" ") || (error instanceof Error ? error.name : "unknown");
}

/**
 * The protocol half of a provider sign-in: state, nonce and PKCE made and held
 * server-side (single use, `FLOW_TTL_MS`), the person sent to the provider,
 * and the response redeemed. Every failure is `oauth_failed`.
 */
export function createOAuthFlows(deps: { store: Store; clock: Clock; events: Events; providers: ReadonlyMap<string, ProviderClient> }) {
  const { events, providers } = deps;
  const flows = createOneTimeTokens<FlowRecord>(deps.store, deps.clock, STORE_KEYS.oauthFlow, FLOW_TTL_MS);

  const failed = (message: string, detail: string, provider: string | undefined, request: RequestMeta): AuthError => {
    events.emit("login_failed", { reason: "oauth_failed", provider, detail, request });
    return new AuthError("oauth_failed", { message });
  };

  function providerOf(id: string): ProviderClient {
    const provider = providers.get(id);
    if (!provider) throw new AuthError("not_found", { message: `No sign-in provider "${id}" is configured.` });
    return provider;
  }

  return {
    providerOf,

    /** Holds a new flow and answers where to send the person; `state` names the flow. */
    async start(providerId: string, flow: FlowStart, request: RequestMeta): Promise<{ authorizationUrl: string; state: string }> {
      const provider = providerOf(providerId);
      const checks = { nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
      const state = await flows.issue({ ...flow, provider: providerId, ...checks });
      try {
        return { authorizationUrl: (await provider.authorizationUrl(flow.redirectUri, { state, ...checks })).href, state };
      } catch (error) {
        await flows.take(state);
        throw failed("The provider could not be reached; try again later.", failureDetail(error), providerId, request);
      }
    },

    /** Takes the flow `state` names (single use: a replayed state or code finds none), if it started at this provider. */
    async take(providerId: string, state: string | null, request: RequestMeta): Promise<FlowRecord> {
      const flow = state ? await flows.take(state) : undefined;
      if (!flow || flow.provider !== providerId)
        throw failed("This sign-in expired, was already used or was not started here: start again.", "unknown_state", providerId, request);
      return flow;
    },

    /** Refuses a response that comes back another way than its flow started: a browser flow in another browser, or an app finishing a browser's flow. */
    assertReturnedAsStarted(flow: FlowRecord, returned: FlowReturn, request: RequestMeta): void {
      const startedInBrowser = flow.browserBinding !== undefined;
      if (
        returned.via === "app"
          ? startedInBrowser
          : !startedInBrowser || !returned.binding || !constantTimeEqual(sha256Hex(returned.binding), flow.browserBinding!)
      ) {
        throw failed("This sign-in was started in another browser or app: start again here.", "binding_mismatch", flow.provider, request);
      }
    },

    /** Redeems the response's code at the provider (state, nonce, PKCE and the ID token checked) and tells who signed in. */
    async redeem(flow: FlowRecord, state: string, returned: FlowReturn, request: RequestMeta): Promise<ProviderIdentity> {
      const provider = providerOf(flow.provider);
      const checks = { state, nonce: flow.nonce, codeVerifier: flow.codeVerifier };
      try {
        const response =
          returned.via === "app" ? await provider.appResponseUrl(flow.redirectUri, returned.code, state) : new URL(`${flow.redirectUri}?${returned.query}`);
        return await provider.redeem(response, checks);
      } catch (error) {
        const refused = (error as { error?: unknown }).error;
        const message =
          typeof refused === "string" ? `The provider refused the sign-in (${refused}).` : "The provider's answer did not check out; start again.";
        throw failed(message, failureDetail(error), flow.provider, request);
      }
    },
  };
}

export type OAuthFlows = ReturnType<typeof createOAuthFlows>;
