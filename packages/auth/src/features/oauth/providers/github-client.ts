import * as oidc from "openid-client";
import { z } from "zod";
import type { GitHubProviderConfig } from "../provider-config.js";
import { emailOf, nameOf, responseUrl, type FlowChecks, type ProviderClient } from "./provider-client.js";

/** GitHub's OAuth 2 endpoints and REST API (docs.github.com, "Authorizing OAuth apps"); replaceable only by code, for tests. */
export interface GitHubEndpoints {
  authorization: string;
  token: string;
  /** The REST API's base URL: `user` and `user/emails` are read below it. */
  api: string;
}

export const GITHUB_ENDPOINTS: GitHubEndpoints = {
  authorization: "https://github.com/login/oauth/authorize",
  token: "https://github.com/login/oauth/access_token",
  api: "https://api.github.com",
};

const userSchema = z.object({ id: z.number().int(), login: z.string(), name: z.string().nullable().optional() });
// GET user/emails: every address of the account, which one is primary, and whether GitHub verified it.
const emailsSchema = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

/**
 * GitHub as a plain OAuth 2 provider (it has no OpenID Connect for people):
 * the code is redeemed by openid-client (state and PKCE checked), then the
 * person is read from the REST API. Only the primary address counts, and it
 * counts as verified only when GitHub says so; other addresses of the
 * account are never used to find or link an account.
 */
export function createGitHubClient(config: GitHubProviderConfig, name: string, endpoints: GitHubEndpoints = GITHUB_ENDPOINTS): ProviderClient {
  const server = new oidc.Configuration(
    { issuer: new URL(endpoints.authorization).origin, authorization_endpoint: endpoints.authorization, token_endpoint: endpoints.token },
    config.clientId,
    config.clientSecret,
    oidc.ClientSecretPost(config.clientSecret),
  );
  if (new URL(endpoints.token).protocol === "http:") oidc.allowInsecureRequests(server);
  server.timeout = 10;

  async function read<T>(accessToken: string, path: string, schema: z.ZodType<T>): Promise<T> {
    // GitHub's REST API refuses requests without a User-Agent.
    const headers = new Headers({ Accept: "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "Gatehouse" });
    const response = await oidc.fetchProtectedResource(server, accessToken, new URL(path, `${endpoints.api.replace(/\/$/, "")}/`), "GET", null, headers);
    if (!response.ok) throw new Error(`GitHub ${path} answered ${response.status}`);
    return schema.parse(await response.json());
  }

  return {
    id: config.id,
    name,

    async authorizationUrl(redirectUri: string, checks: FlowChecks): Promise<URL> {
      return oidc.buildAuthorizationUrl(server, {
        redirect_uri: redirectUri,
        scope: config.scopes.join(" "),
        state: checks.state,
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: "S256",
      });
    },

    appResponseUrl: async (redirectUri: string, code: string, state: string) => responseUrl(redirectUri, { code, state }),

    async redeem(response: URL, checks: FlowChecks) {
      const tokens = await oidc.authorizationCodeGrant(server, response, { pkceCodeVerifier: checks.codeVerifier, expectedState: checks.state });
      const [user, emails] = await Promise.all([read(tokens.access_token, "user", userSchema), read(tokens.access_token, "user/emails", emailsSchema)]);
      const primary = emails.find((entry) => entry.primary);
      return { subject: String(user.id), ...emailOf({ email: primary?.email, email_verified: primary?.verified }), name: nameOf(user.name ?? user.login) };
    },
  };
}
