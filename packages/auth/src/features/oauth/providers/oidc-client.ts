import * as oidc from "openid-client";
import type { OidcProviderConfig } from "../provider-config.js";
import { emailOf, nameOf, responseUrl, type FlowChecks, type ProviderClient } from "./provider-client.js";

/** Seconds each request to the provider may take (discovery, token, userinfo). */
const PROVIDER_TIMEOUT_SECONDS = 10;

/**
 * A generic OpenID Connect provider: its endpoints and keys come from
 * discovery of `issuer` (OpenID Connect Discovery 1.0), fetched on first use
 * and kept (a failed discovery is tried again on the next sign-in, so a
 * provider that is down at start-up does not stop the server). The ID token's
 * signature, issuer, audience, expiry and nonce are checked by openid-client.
 */
export function createOidcClient(config: OidcProviderConfig, name: string): ProviderClient {
  const issuer = new URL(config.issuer);
  // Only a development provider on a loopback address is reached over plain HTTP (the config refuses any other).
  const execute = issuer.protocol === "http:" ? [oidc.allowInsecureRequests] : [];
  let discovered: Promise<oidc.Configuration> | undefined;

  async function discover(): Promise<oidc.Configuration> {
    const found = await oidc.discovery(issuer, config.clientId, config.clientSecret, oidc.ClientSecretBasic(config.clientSecret), {
      execute,
      timeout: PROVIDER_TIMEOUT_SECONDS,
    });
    // RFC 6749 §2.3.1: every server takes HTTP Basic, unless its metadata says it only takes the secret in the body.
    const methods = found.serverMetadata().token_endpoint_auth_methods_supported;
    if (!methods || methods.includes("client_secret_basic") || !methods.includes("client_secret_post")) return found;
    const posting = new oidc.Configuration(found.serverMetadata(), config.clientId, config.clientSecret, oidc.ClientSecretPost(config.clientSecret));
    for (const apply of execute) apply(posting);
    posting.timeout = PROVIDER_TIMEOUT_SECONDS;
    return posting;
  }

  const configuration = (): Promise<oidc.Configuration> => {
    discovered ??= discover().catch((error: unknown) => {
      discovered = undefined;
      throw error;
    });
    return discovered;
  };

  return {
    id: config.id,
    name,

    async authorizationUrl(redirectUri: string, checks: FlowChecks): Promise<URL> {
      return oidc.buildAuthorizationUrl(await configuration(), {
        response_type: "code",
        redirect_uri: redirectUri,
        scope: config.scopes.join(" "),
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: "S256",
      });
    },

    async appResponseUrl(redirectUri: string, code: string, state: string): Promise<URL> {
      const metadata = (await configuration()).serverMetadata();
      return responseUrl(redirectUri, { code, state, ...(metadata.authorization_response_iss_parameter_supported ? { iss: metadata.issuer } : {}) });
    },

    async redeem(response: URL, checks: FlowChecks) {
      const server = await configuration();
      const tokens = await oidc.authorizationCodeGrant(server, response, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      // Many providers put only `sub` in the ID token of a code flow; the rest is at the UserInfo endpoint, for this subject only.
      const profile: Record<string, unknown> =
        typeof claims.email === "string" ? { ...claims } : { ...(await oidc.fetchUserInfo(server, tokens.access_token, claims.sub)) };
      return { subject: claims.sub, ...emailOf(profile), name: nameOf(profile.name) };
    },
  };
}
