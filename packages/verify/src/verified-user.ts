import type { JWTPayload } from "jose";
import { VerifyError } from "./errors.js";

export type Role = "user" | "admin";

/** Who is calling, as a verified access token (and, with introspection, Gatehouse at this instant) says. */
export interface VerifiedUser {
  userId: string;
  sessionId: string;
  role: Role;
  /** When the user last entered their password (or passkey…), seconds since the epoch: for `fresh(maxAgeSeconds)`. */
  authTime: number;
  /** From the token's `scope` claim (RFC 9068) and the verifier's `scopesByRole`; absent when neither gives any. */
  scopes?: string[];
}

/** The claims every Gatehouse access token carries (CONTRACT §5). */
export const REQUIRED_CLAIMS = ["sub", "sid", "jti", "iat", "exp", "auth_time", "role"];

export interface TokenFacts {
  sub: string;
  sid: string;
  exp: number;
  authTime: number;
  role: Role;
  /** RFC 9068 §2.2.3: space-separated. */
  scope: string | undefined;
}

export const isRole = (value: unknown): value is Role => value === "user" || value === "admin";

/** The claims as types we can rely on, or `token_invalid`. */
export function factsOf(payload: JWTPayload): TokenFacts {
  const { sub, sid, exp, auth_time: authTime, role, scope } = payload as Record<string, unknown>;
  if (typeof sub !== "string" || typeof sid !== "string" || typeof exp !== "number" || typeof authTime !== "number" || !isRole(role)) {
    throw new VerifyError("token_invalid", "The access token lacks Gatehouse's claims.");
  }
  return { sub, sid, exp, authTime, role, scope: typeof scope === "string" ? scope : undefined };
}

export type ScopesByRole = Partial<Record<Role, readonly string[]>>;

export function verifiedUser(facts: Pick<TokenFacts, "sub" | "sid" | "authTime" | "role" | "scope">, scopesByRole: ScopesByRole | undefined): VerifiedUser {
  const fromToken = facts.scope?.split(" ").filter(Boolean) ?? [];
  const fromRole = scopesByRole?.[facts.role] ?? [];
  const user: VerifiedUser = { userId: facts.sub, sessionId: facts.sid, role: facts.role, authTime: facts.authTime };
  if (fromToken.length > 0 || scopesByRole) user.scopes = [...new Set([...fromToken, ...fromRole])];
  return user;
}
