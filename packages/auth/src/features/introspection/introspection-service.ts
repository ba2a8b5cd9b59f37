import { AuthError } from "../../errors.js";
import type { SessionAuth } from "../sessions/session-auth.js";
import type { Introspection } from "./schema.js";

/**
 * What an access token stands for at this instant, as another service needs
 * to know it: the same check every Gatehouse procedure makes (signature,
 * expiry, live session, account not locked), with the role read from the
 * store, so a logout, a lock or a demotion shows at once.
 */
export async function introspect(sessionAuth: SessionAuth, token: string): Promise<Introspection> {
  try {
    const { user, session, claims } = await sessionAuth.authenticate(token);
    return { active: true, sub: user.id, sid: session.id, role: user.role, exp: claims.exp, authTime: claims.auth_time };
  } catch (error) {
    // Expired, forged, revoked or locked: all just inactive (RFC 7662 §2.2).
    if (error instanceof AuthError) return { active: false };
    // The store is away: answering "inactive" would be a guess; the caller gets 503 and fails closed itself.
    throw error;
  }
}
