import { EMAIL_MAX_LENGTH } from "../../sign-in/schema.js";

/** Who signed in at the provider, as the provider tells it. */
export interface ProviderIdentity {
  /** The provider's stable id for the person (`sub`, or GitHub's numeric user id). */
  subject: string;
  /** Lower-cased; undefined when the provider shares none. */
  email: string | undefined;
  /** True only when the provider says it checked that the person controls `email`. */
  emailVerified: boolean;
  name: string | undefined;
}

/** What the server keeps between sending the person to the provider and their return. */
export interface FlowChecks {
  state: string;
  /** OpenID Connect's replay check, echoed in the ID token. */
  nonce: string;
  /** PKCE (RFC 7636): only the S256 challenge of it leaves the server. */
  codeVerifier: string;
}

/** One configured sign-in provider, over `openid-client`. */
export interface ProviderClient {
  id: string;
  name: string;
  /** Where to send the person: the provider's authorization endpoint with state, nonce and the PKCE S256 challenge. */
  authorizationUrl(redirectUri: string, checks: FlowChecks): Promise<URL>;
  /**
   * Validates an authorization response (`responseUrl`: the redirect URI with
   * the query it came back with), redeems its code with the PKCE verifier and
   * tells who signed in. Throws whatever the exchange or a check threw.
   */
  redeem(responseUrl: URL, checks: FlowChecks): Promise<ProviderIdentity>;
  /**
   * The authorization response an app hands over as `{code, state}`, as a URL
   * at its redirect URI. Where the provider also sends `iss` (RFC 9207), the
   * expected one is filled in: the server bound the state to this provider,
   * and the code is redeemed only at this provider's token endpoint.
   */
  appResponseUrl(redirectUri: string, code: string, state: string): Promise<URL>;
}

export function responseUrl(redirectUri: string, params: Record<string, string>): URL {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url;
}

const claimedTrue = (value: unknown): boolean => value === true || value === "true";

/** The email claims as providers send them: some send `email_verified` as the string "true". */
export function emailOf(claims: { email?: unknown; email_verified?: unknown }): Pick<ProviderIdentity, "email" | "emailVerified"> {
  if (typeof claims.email !== "string" || claims.email.length === 0 || claims.email.length > EMAIL_MAX_LENGTH)
    return { email: undefined, emailVerified: false };
  return { email: claims.email.trim().toLowerCase(), emailVerified: claimedTrue(claims.email_verified) };
}

export const nameOf = (value: unknown): string | undefined => (typeof value === "string" && value.trim() ? value.trim().slice(0, 100) : undefined);
