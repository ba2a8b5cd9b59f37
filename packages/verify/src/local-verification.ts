import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from "jose";
import { VerifyError } from "./errors.js";
import { decodeSecret } from "./secret.js";
import { REQUIRED_CLAIMS } from "./verified-user.js";

export interface LocalVerificationOptions {
  issuer: string;
  audience: string;
  jwksUrl?: string | URL | undefined;
  secret?: string | readonly string[] | undefined;
  clockToleranceSeconds: number;
  now: () => number;
}

// The server refuses shorter secrets; a shorter one here can only be a mistake.
const MIN_SECRET_BYTES = 32;

/** Checks a token's signature and claims here, without asking Gatehouse; undefined when there is no key to check with. */
export function createLocalVerification(options: LocalVerificationOptions): ((token: string) => Promise<JWTPayload>) | undefined {
  const secrets = options.secret === undefined ? [] : typeof options.secret === "string" ? [options.secret] : [...options.secret];
  const hmacKeys = secrets.map((text, index) => {
    const key = decodeSecret(text);
    if (!key || key.length < MIN_SECRET_BYTES)
      throw new TypeError(`secret${secrets.length > 1 ? `[${index}]` : ""} must be the server's AUTH_JWT_SECRET: at least 32 bytes as hex or base64.`);
    return key;
  });
  // Fetched on first use, kept, and fetched again when a token names a key it
  // does not hold (a rotation), at most once every 30 s (jose's cooldown).
  const jwks = options.jwksUrl === undefined ? undefined : createRemoteJWKSet(new URL(options.jwksUrl));
  if (!jwks && hmacKeys.length === 0) return undefined;

  const claimsOptions = (): JWTVerifyOptions => ({
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.clockToleranceSeconds,
    currentDate: new Date(options.now()),
    requiredClaims: REQUIRED_CLAIMS,
  });

  return async (token) => {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch (error) {
      throw new VerifyError("token_invalid", "The access token is not a JWT.", { cause: error });
    }
    // One algorithm per key source, never taken from the token alone (no `none`, no HS256 with a public key).
    if (alg === "ES256" && jwks) return (await jwtVerify(token, jwks, { ...claimsOptions(), algorithms: ["ES256"] })).payload;
    if (alg === "HS256" && hmacKeys.length > 0) return verifyWithSecrets(token, hmacKeys, claimsOptions());
    throw new VerifyError("token_invalid", `Tokens signed with ${String(alg)} are not accepted here.`);
  };
}

/** The current secret first, then the previous ones (AUTH_JWT_PREVIOUS_SECRETS) while their tokens live. */
async function verifyWithSecrets(token: string, keys: readonly Uint8Array[], claimsOptions: JWTVerifyOptions): Promise<JWTPayload> {
  let lastError: unknown;
  for (const key of keys) {
    try {
      return (await jwtVerify(token, key, { ...claimsOptions, algorithms: ["HS256"] })).payload;
    } catch (error) {
      // Claims are checked only once the signature holds: any other failure is final.
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) throw error;
      lastError = error;
    }
  }
  throw lastError;
}
