import type { TRPCClient } from "@trpc/client";
import type { AppRouter } from "./router.js";
import { rethrowAsGatehouseError } from "./errors.js";
import type { GatehouseInputs as In, GatehouseOutputs as Out } from "./procedure-types.js";
import type { SessionKeeper } from "./session-keeper.js";
import type { Transport } from "./transport.js";
import { isMfaChallenge, type PublicUser } from "./wire.js";

/** The cookie a browser sign-in with a provider leaves the mfaToken in when two-factor is due (`?mfa=required`). */
export const PROVIDER_MFA_COOKIE = "gh_mfa";

type LinkedAccount = Out["accounts"]["list"][number];

/** What `oauthFinish` ends in: signed in, a second factor due, or (a link flow) the identity linked. */
export type ProviderFinishResult =
  { status: "signed-in"; user: PublicUser } | { status: "mfa-required"; mfaToken: string } | { status: "linked"; account: LinkedAccount };

/** Sign-in with OpenID Connect and OAuth providers, and the provider identities linked to the account. */
export interface ProviderFlows {
  /** The configured providers, for "Sign in with …" buttons. */
  oauthProviders(): Promise<Out["auth"]["oauthProviders"]>;
  /**
   * The browser flow's start: `GET /oauth/<provider>/start` on Gatehouse, which
   * sends the person to the provider and back to `returnTo` (a path on the
   * app's origin, default `/`) signed in, or with `?error=<reason>`.
   */
  providerStartUrl(provider: string, options?: { returnTo?: string }): string;
  /** Browsers: navigates to `providerStartUrl`. */
  signInWithProvider(provider: string, options?: { returnTo?: string }): void;
  /**
   * Browsers, back from a provider with `?mfa=required`: the mfaToken the
   * server left in a short-lived cookie (never in the URL); null when there is
   * none. Finish with `verifyMfa({mfaToken, code})`. The SDK writes no cookie:
   * this one expires by itself within 5 minutes, and the token is single use.
   */
  providerMfaToken(): string | null;
  /** Apps: starts a sign-in with the app's own redirect URI; open `authorizationUrl` in the system browser. */
  oauthStart(input: In["auth"]["oauthStart"]): Promise<Out["auth"]["oauthStart"]>;
  /** Apps: finishes with the `code` and `state` the redirect URI received; a link flow links (for the signed-in account). */
  oauthFinish(input: { provider: string; code: string; state: string }): Promise<ProviderFinishResult>;
  accounts: {
    list(): Promise<Out["accounts"]["list"]>;
    /** Step-up. Without `redirectUri` (browsers), open `authorizationUrl`: the callback links and returns to `/?linked=<provider>`. */
    linkStart(input: In["accounts"]["linkStart"]): Promise<Out["accounts"]["linkStart"]>;
    /** Step-up. Refused (`forbidden`) when it would leave the account no way to sign in. */
    unlink(input: In["accounts"]["unlink"]): Promise<void>;
  };
}

interface BrowserDocument {
  cookie: string;
}

export function createProviderFlows(api: TRPCClient<AppRouter>, transport: Transport, keeper: SessionKeeper): ProviderFlows {
  const call = <T>(answer: Promise<T>): Promise<T> => answer.catch(rethrowAsGatehouseError);
  // Gatehouse's base URL is the tRPC endpoint's parent: `/trpc` → `/`, `https://auth.example.com/trpc` → that origin.
  const baseUrl = (): URL => new URL(transport.url.replace(/\/trpc\/?$/, "/"), (globalThis as { location?: { href: string } }).location?.href);
  const providerStartUrl = (provider: string, options: { returnTo?: string } = {}): string => {
    const url = new URL(`oauth/${encodeURIComponent(provider)}/start`, baseUrl());
    if (options.returnTo) url.searchParams.set("returnTo", options.returnTo);
    return url.href;
  };

  return {
    oauthProviders: () => call(api.auth.oauthProviders.query()),
    providerStartUrl,
    signInWithProvider(provider, options) {
      (globalThis as unknown as { location: { assign(url: string): void } }).location.assign(providerStartUrl(provider, options));
    },
    providerMfaToken() {
      const cookies = (globalThis as { document?: BrowserDocument }).document?.cookie ?? "";
      return new RegExp(`(?:^|; )${PROVIDER_MFA_COOKIE}=([^;]+)`).exec(cookies)?.[1] ?? null;
    },
    oauthStart: (input) => call(api.auth.oauthStart.mutate(input)),
    async oauthFinish(input) {
      await keeper.refreshSettled();
      const deviceToken = await keeper.deviceToken();
      const answer = await call(
        transport.oauthFinish({ ...input, ...(deviceToken ? { deviceToken } : {}) }, keeper.isSpent() ? null : keeper.currentAccessToken()),
      );
      if ("linked" in answer) return { status: "linked", account: answer.account };
      if (isMfaChallenge(answer)) return { status: "mfa-required", mfaToken: answer.mfaToken };
      return { status: "signed-in", user: await keeper.signIn(answer) };
    },
    accounts: {
      list: () => call(api.accounts.list.query()),
      linkStart: (input) => api.accounts.linkStart.mutate(input).catch(rethrowAsGatehouseError),
      unlink: async (input) => void (await api.accounts.unlink.mutate(input).catch(rethrowAsGatehouseError)),
    },
  };
}
