import { sha256Hex } from "./crypto/random.js";

/*
 * Every key and collection name Gatehouse keeps in the store, in one place so
 * that no two features can write under one prefix. The strings are the stored
 * format: changing one orphans existing data (or needs a step in upgrade/).
 * Secrets (tokens, keys, credential ids) appear in keys only as SHA-256.
 */

/** A family of store keys: a fixed prefix, then what tells its keys apart. */
export interface KeyFamily<A extends readonly unknown[]> {
  readonly prefix: string;
  (...args: A): string;
}

const family = <A extends readonly unknown[]>(prefix: string, rest: (...args: A) => string): KeyFamily<A> =>
  Object.assign((...args: A) => prefix + rest(...args), { prefix });

const hashed = (prefix: string): KeyFamily<[secret: string]> => family(prefix, (secret: string) => sha256Hex(secret));
const byId = (prefix: string): KeyFamily<[id: string]> => family(prefix, (id: string) => id);

/** Plain keys (get, set, update, take). */
export const STORE_KEYS = {
  user: byId("user:"),
  userIdOfEmail: family("user-email:", (email: string) => email),
  session: byId("session:"),
  refreshToken: hashed("refresh:"),
  /** A refresh token already rotated, kept for the reuse grace period. */
  rotatedRefreshToken: hashed("refresh-rotated:"),
  apiKey: byId("apikey:"),
  apiKeyIdOfKey: hashed("apikey-hash:"),
  device: hashed("device:"),
  passkeysOfUser: byId("passkeys:"),
  userOfPasskey: hashed("passkey:cred:"),
  // Found by (provider, subject) in one read; the subject is hashed to keep keys short and free of odd characters.
  oauthIdentity: family("oauth-identity:", (provider: string, subject: string) => `${provider}:${sha256Hex(subject)}`),
  oauthLinksOfUser: byId("oauth-links:"),
  pendingTotpSetup: byId("mfa-pending:"),
  emailCode: family("email-code:", (email: string) => email),
  emailOfCodeLink: family("email-code-link:", (linkHash: string) => linkHash),
  seenIp: family("seen-ip:", (userId: string, ip: string) => `${userId}:${sha256Hex(ip)}`),
  /** A rate limit's window; the braces keep a key's windows in one Redis Cluster slot. */
  rateWindow: family("rl:{", (key: string, windowIndex: number) => `${key}}:${windowIndex}`),
  /** A credential-check count (`n`) or lock (`lock`) of a rule and subject, in one cluster slot. */
  attempts: family("att:{", (rule: string, key: string, part: "n" | "lock") => `${rule}:${key}}:${part}`),
  /** Single-use tokens (crypto/one-time-tokens.ts), one family per purpose. */
  resetToken: hashed("reset:"),
  emailVerificationToken: hashed("verify-email:"),
  mfaChallenge: hashed("mfa-login:"),
  passkeyRegistration: hashed("passkey-registration:"),
  passkeySignIn: hashed("passkey-sign-in:"),
  oauthFlow: hashed("oauth-flow:"),
} as const;

/** Ordered indexes and append-only logs. */
export const STORE_COLLECTIONS = {
  usersByTime: "users",
  usersByEmail: "users-by-email",
  sessionsOfUser: family("sessions:", (userId: string, generation: number) => `${userId}:${generation}`),
  apiKeysOfUser: byId("apikeys:"),
  activityOfUser: byId("activity:"),
  audit: "audit",
} as const;

/** The store's format version and the upgrade's own bookkeeping (upgrade/). */
export const UPGRADE_KEYS = {
  format: "store-format",
  lease: "store-upgrade:lease",
  auditPlan: "store-upgrade:audit-plan",
  usersDone: "store-upgrade:users-done",
} as const;

/** What stores of format 1 kept, read and removed only by the upgrade (upgrade/). */
export const LEGACY_STORE_KEYS = {
  auditHead: "audit:head",
  auditEntry: family("audit:", (seq: number) => String(seq)),
  /** Every user id, oldest first. */
  userIds: "users:index",
  sessionIdsOfUser: byId("user-sessions:"),
  apiKeyIdsOfUser: byId("user-apikeys:"),
  activityHead: family("activity:", (userId: string) => `${userId}:head`),
  activityEntry: family("activity:", (userId: string, position: number) => `${userId}:${position}`),
} as const;
