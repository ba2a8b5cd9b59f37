import type { PublicUser } from "./wire.js";

/**
 * The session as this client holds it. The access token lives only here, in
 * memory: never in Web Storage, IndexedDB or a script-readable cookie, so a
 * script injected into the page cannot carry it away from a later visit.
 */
export interface HeldSession {
  accessToken: string;
  user: PublicUser;
  /** Local clock, ms: when we received the token. */
  receivedAt: number;
  /** Local clock, ms. Computed from `expiresIn`, never from the JWT's `exp`, so a skewed device clock does not matter. */
  expiresAt: number;
}

/** Refresh when this share of the token's lifetime has passed. */
export const REFRESH_AT_SHARE = 0.8;
/** A token this close to expiry is refreshed before a call rather than sent to fail. */
const EXPIRY_MARGIN_MS = 5_000;

export function heldSessionFrom(tokens: { accessToken: string; expiresIn: number; user: PublicUser }, now: number): HeldSession {
  return { accessToken: tokens.accessToken, user: tokens.user, receivedAt: now, expiresAt: now + tokens.expiresIn * 1000 };
}

export function refreshDueAt(session: HeldSession): number {
  return session.receivedAt + (session.expiresAt - session.receivedAt) * REFRESH_AT_SHARE;
}

/** Expired, or so close that it would likely expire in flight. */
export function isSpent(session: HeldSession, now: number): boolean {
  const lifetime = session.expiresAt - session.receivedAt;
  return now >= session.expiresAt - Math.min(EXPIRY_MARGIN_MS, lifetime * 0.1);
}
