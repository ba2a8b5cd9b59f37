import type { Store } from "@gatehouse/store";
import type { Clock } from "@gatehouse/store";

/**
 * One session per login: the family every refresh token of that login belongs
 * to. Access tokens carry its id as `sid`, so checking this small record on
 * each call revokes a session's access tokens the moment it is revoked.
 */
export interface SessionRecord {
  id: string;
  userId: string;
  /** Must equal the user's generation; bumping the user's ends every older session at once. */
  generation: number;
  createdAt: number;
  lastUsedAt: number;
  absoluteExpiresAt: number;
  authTime: number;
  ip: string;
  userAgent: string;
  revokedAt: number | null;
  revokedReason: string | null;
  /**
   * The device credential the login was made with or issued: a password check
   * in this session (step-up, password change) counts toward that device's
   * lockout, not the email's. Null for sessions started without one (signup).
   */
  deviceId?: string | null;
}

const sessionKey = (id: string) => `session:${id}`;
const userSessionsKey = (userId: string) => `user-sessions:${userId}`;

// Past this many indexed sessions, a new login also drops expired and revoked ones.
const INDEX_PRUNE_THRESHOLD = 20;

export function createSessionStore(store: Store, clock: Clock) {
  const ttlOf = (session: SessionRecord) => Math.max(session.absoluteExpiresAt - clock(), 1);

  const removeFromIndex = async (userId: string, ended: readonly string[]): Promise<void> => {
    const drop = new Set(ended);
    await store.update<string[]>(userSessionsKey(userId), (ids = []) => {
      const kept = ids.filter((id) => !drop.has(id));
      return kept.length ? kept : undefined;
    });
  };

  const pruneEnded = async (userId: string, ids: string[]): Promise<void> => {
    const records = await Promise.all(ids.map((id) => store.get<SessionRecord>(sessionKey(id))));
    await removeFromIndex(userId, ids.filter((_, i) => !records[i] || records[i].revokedAt !== null));
  };

  return {
    get: (id: string) => store.get<SessionRecord>(sessionKey(id)),

    async create(session: SessionRecord): Promise<void> {
      await store.set(sessionKey(session.id), session, ttlOf(session));
      // The per-user index lists sessions for "log out everywhere" and the
      // session list; ended sessions are removed from it when they end in bulk.
      const ids = await store.update<string[]>(userSessionsKey(session.userId), (ids = []) => [...ids, session.id]);
      if (ids && ids.length > INDEX_PRUNE_THRESHOLD) await pruneEnded(session.userId, ids);
    },

    update: (id: string, change: (session: SessionRecord) => SessionRecord) =>
      store.update<SessionRecord>(sessionKey(id), (current) => (current ? change(current) : undefined)),

    /** The session as revoked by this call; undefined when there is none or it was revoked already. */
    async revoke(id: string, reason: string): Promise<SessionRecord | undefined> {
      const now = clock();
      let revokedHere = false;
      const written = await store.update<SessionRecord>(sessionKey(id), (current) => {
        revokedHere = current !== undefined && current.revokedAt === null;
        return revokedHere ? { ...current!, revokedAt: now, revokedReason: reason } : current;
      });
      return revokedHere ? written : undefined;
    },

    async listIds(userId: string): Promise<string[]> {
      return (await store.get<string[]>(userSessionsKey(userId))) ?? [];
    },

    /** Drops ended sessions from the user's index; sessions added meanwhile stay. */
    removeFromIndex,
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/** A session is usable when it is not revoked, not past its absolute expiry and of the user's current generation. */
export function isSessionLive(session: SessionRecord, userGeneration: number, now: number): boolean {
  return session.revokedAt === null && session.absoluteExpiresAt > now && session.generation === userGeneration;
}
