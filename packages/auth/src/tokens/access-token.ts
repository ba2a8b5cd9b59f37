import { errors, jwtVerify, SignJWT, type CryptoKey, type JWTPayload } from "jose";
import { generateId } from "../crypto/random.js";
import type { Clock } from "@gatehouse/store";
import type { KeyRing } from "./keyring.js";

export type Role = "user" | "admin";

export interface AccessClaims {
  sub: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  auth_time: number;
  role: Role;
}

export interface AccessTokenOptions {
  keys: KeyRing;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  clock: Clock;
  /** Verified tokens remembered, so a hot token is not re-verified on every call. */
  cacheSize?: number;
}

export type VerifyResult = { ok: true; claims: AccessClaims } | { ok: false; reason: "token_expired" | "token_invalid" };

/** Access tokens are accepted this long past `exp`, for clocks that disagree a little. */
export const CLOCK_TOLERANCE_SECONDS = 30;

export function createAccessTokens(options: AccessTokenOptions) {
  const { keys, issuer, audience, ttlSeconds, clock, cacheSize = 10_000 } = options;
  // Insertion-ordered Map used as an LRU; entries are honoured only until exp.
  const verified = new Map<string, AccessClaims>();

  // Raw HMAC secrets become CryptoKeys once, not on every sign or verify.
  const imported = new Map<CryptoKey | Uint8Array, Promise<CryptoKey>>();
  const usable = (key: CryptoKey | Uint8Array): Promise<CryptoKey> | CryptoKey => {
    if (!(key instanceof Uint8Array)) return key;
    let ready = imported.get(key);
    if (!ready) {
      ready = crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
      imported.set(key, ready);
    }
    return ready;
  };

  const remember = (token: string, claims: AccessClaims): void => {
    if (verified.size >= cacheSize) verified.delete(verified.keys().next().value!);
    verified.set(token, claims);
  };

  async function sign(input: { userId: string; sessionId: string; role: Role; authTime: number }): Promise<string> {
    const now = Math.floor(clock() / 1000);
    return new SignJWT({ sid: input.sessionId, role: input.role, auth_time: input.authTime })
      .setProtectedHeader({ alg: keys.algorithm, kid: keys.signing.kid, typ: "JWT" })
      .setSubject(input.userId)
      .setJti(generateId())
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .setIssuer(issuer)
      .setAudience(audience)
      .sign(await usable(keys.signing.key));
  }

  /**
   * `ignoreExpiry` is for logout only: a correctly signed token that has just
   * expired still names the session its holder wants ended.
   */
  async function verify(token: string, options: { ignoreExpiry?: boolean } = {}): Promise<VerifyResult> {
    const nowSeconds = clock() / 1000;
    const cached = options.ignoreExpiry ? undefined : verified.get(token);
    if (cached) {
      if (cached.exp + CLOCK_TOLERANCE_SECONDS > nowSeconds) return { ok: true, claims: cached };
      verified.delete(token);
      return { ok: false, reason: "token_expired" };
    }
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          const key = header.kid ? keys.verification.get(header.kid) : undefined;
          if (!key) throw new errors.JWKSNoMatchingKey();
          return usable(key);
        },
        {
          algorithms: [keys.algorithm],
          issuer,
          audience,
          clockTolerance: options.ignoreExpiry ? Number.MAX_SAFE_INTEGER : CLOCK_TOLERANCE_SECONDS,
          currentDate: new Date(clock()),
          requiredClaims: ["sub", "sid", "jti", "iat", "exp", "auth_time", "role"],
        },
      );
      const claims = toClaims(payload);
      if (!claims) return { ok: false, reason: "token_invalid" };
      if (!options.ignoreExpiry) remember(token, claims);
      return { ok: true, claims };
    } catch (error) {
      return { ok: false, reason: error instanceof errors.JWTExpired ? "token_expired" : "token_invalid" };
    }
  }

  return { sign, verify, ttlSeconds };
}

function toClaims(payload: JWTPayload): AccessClaims | undefined {
  const { sub, sid, jti, iat, exp, auth_time: authTime, role } = payload as Record<string, unknown>;
  if (typeof sub !== "string" || typeof sid !== "string" || typeof jti !== "string") return undefined;
  if (typeof iat !== "number" || typeof exp !== "number" || typeof authTime !== "number") return undefined;
  if (role !== "user" && role !== "admin") return undefined;
  return { sub, sid, jti, iat, exp, auth_time: authTime, role };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
