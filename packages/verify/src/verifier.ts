import { decodeJwt } from "jose";
import { VerifyError } from "./errors.js";
import { createIntrospection, type IntrospectOptions } from "./introspection.js";
import { createLocalVerification } from "./local-verification.js";
import { presentedToken } from "./presented-token.js";
import { refusalOf } from "./refusal.js";
import { factsOf, verifiedUser, type ScopesByRole, type TokenFacts, type VerifiedUser } from "./verified-user.js";

export interface VerifierOptions {
  /** The server's `AUTH_ISSUER` (default `gatehouse`). */
  issuer: string;
  /** The server's `AUTH_AUDIENCE` (default `gatehouse-api`). */
  audience: string;
  /** ES256 tokens: the server's `/.well-known/jwks.json`. Fetched once, cached, fetched again on an unknown key id. */
  jwksUrl?: string | URL;
  /** HS256 tokens: the same string as the server's `AUTH_JWT_SECRET`; a list puts the current one first, then `AUTH_JWT_PREVIOUS_SECRETS`. */
  secret?: string | readonly string[];
  /** Ask Gatehouse about every token, so logout, lock and demotion apply at once. */
  introspect?: IntrospectOptions;
  /** Your service's scopes for each Gatehouse role, for `withScope`; a demotion takes them away at once with `introspect`. */
  scopesByRole?: ScopesByRole;
  /** How far past `exp` a token is still accepted; default 30 s, as the server. */
  clockToleranceSeconds?: number;
  /** The clock, ms since the epoch; for tests. */
  now?: () => number;
}

export interface Verifier {
  /** Resolves to the caller, or rejects with a `VerifyError` whose `reason` says what the client should do. */
  verify(tokenOrAuthorizationHeader: string | null | undefined): Promise<VerifiedUser>;
  /** The verifier's clock, ms since the epoch (the tRPC helpers judge freshness by it). */
  now(): number;
}

const CLOCK_TOLERANCE_SECONDS = 30;

export function createVerifier(options: VerifierOptions): Verifier {
  if (typeof options?.issuer !== "string" || options.issuer === "") throw new TypeError("issuer is required: the server's AUTH_ISSUER (default gatehouse).");
  if (typeof options.audience !== "string" || options.audience === "")
    throw new TypeError("audience is required: the server's AUTH_AUDIENCE (default gatehouse-api).");
  const now = options.now ?? Date.now;
  const clockToleranceSeconds = options.clockToleranceSeconds ?? CLOCK_TOLERANCE_SECONDS;
  const local = createLocalVerification({ ...options, clockToleranceSeconds, now });
  const introspection = options.introspect ? createIntrospection(options.introspect) : undefined;
  if (!local && !introspection) throw new TypeError("Give jwksUrl (ES256), secret (HS256) or introspect: there is no other way to check a token.");

  const pastExpiry = (exp: number): boolean => exp + clockToleranceSeconds <= now() / 1000;

  /**
   * Without a key, the token's claims are read unchecked only to answer early
   * (not ours, expired); introspection then vouches for the exact token.
   */
  function unverifiedFacts(token: string): TokenFacts {
    let payload;
    try {
      payload = decodeJwt(token);
    } catch (error) {
      throw new VerifyError("token_invalid", "The access token is not a JWT.", { cause: error });
    }
    const audiences = typeof payload.aud === "string" ? [payload.aud] : (payload.aud ?? []);
    if (payload.iss !== options.issuer || !audiences.includes(options.audience))
      throw new VerifyError("token_invalid", "The access token was issued for another issuer or audience.");
    const facts = factsOf(payload);
    if (pastExpiry(facts.exp)) throw new VerifyError("token_expired");
    return facts;
  }

  return {
    now,
    async verify(tokenOrAuthorizationHeader) {
      try {
        const token = presentedToken(tokenOrAuthorizationHeader);
        const facts = local ? factsOf(await local(token)) : unverifiedFacts(token);
        if (!introspection) return verifiedUser(facts, options.scopesByRole);
        const answer = await introspection(token);
        // Gatehouse does not say why; a token past its time is expired (refresh), any other is revoked (refresh, or sign in).
        if (!answer.active) throw new VerifyError(pastExpiry(facts.exp) ? "token_expired" : "token_revoked");
        if (answer.sub !== facts.sub || answer.sid !== facts.sid) throw new VerifyError("token_invalid");
        // The role as it is now, not as the token was issued.
        return verifiedUser({ ...facts, role: answer.role, authTime: answer.authTime }, options.scopesByRole);
      } catch (error) {
        throw refusalOf(error);
      }
    },
  };
}
