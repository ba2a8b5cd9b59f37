/** What the bench and better-auth-server.ts exchange (kept apart: importing the server module would start a server). */

/** better-auth's routes are mounted under this path. */
export const API_PREFIX = "/api/auth";

export interface PeerConfig {
  bcryptCost: number;
  /** Users signed up (password PASSWORD) whose emails are handed back, for sign-ins. */
  accounts?: number;
  /** Sign up one user whose session cookie is handed back for get-session (default true). */
  sessionUser?: boolean;
}

export interface PeerInfo {
  port: number;
  /** better-auth's version, from its package.json. */
  version: string;
  /** `name=value` of the session cookie of the session user ("" without sessionUser). */
  sessionCookie: string;
  /** Email of the session user ("" without sessionUser). */
  sessionEmail: string;
  /** Accounts with password PASSWORD. */
  emails: string[];
}
