import { sortableTime, type Clock, type Store } from "@gatehouse/store";
import { STORE_COLLECTIONS, STORE_KEYS } from "../../store-keys.js";

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

/** The session list shows this many of a user's live sessions at most, newest first. */
export const LISTED_SESSIONS = 100;

const sessionKey = STORE_KEYS.session;
// A user's sessions of one generation, newest first. Bumping the generation
// ends them all at once and starts a new, empty index: nothing is rewritten or
// walked, and the old index empties itself as its members' TTLs run out.
const indexName = STORE_COLLECTIONS.sessionsOfUser;

export function createSessionStore(store: Store, clock: Clock) {
  const ttlOf = (session: SessionRecord) => Math.max(session.absoluteExpiresAt - clock(), 1);
  const indexOf = (session: Pick<SessionRecord, "userId" | "generation">) => store.index(indexName(session.userId, session.generation));

  /** Lists the session under its user and generation until its absolute expiry; safe to repeat. */
  const index = async (session: SessionRecord): Promise<void> => {
    await indexOf(session).add(session.id, sortableTime(session.createdAt), { ttlMs: ttlOf(session) });
  };

  const update = (id: string, change: (session: SessionRecord) => SessionRecord) =>
    store.update<SessionRecord>(sessionKey(id), (current) => (current ? change(current) : undefined));

  return {
    get: (id: string) => store.get<SessionRecord>(sessionKey(id)),

    async create(session: SessionRecord): Promise<void> {
      await store.set(sessionKey(session.id), session, ttlOf(session));
      await index(session);
    },

    index,
    update,

    /** Marks the session revoked and takes it out of its user's list; undefined when there is none or it was revoked already. */
    async revoke(id: string, reason: string): Promise<SessionRecord | undefined> {
      const now = clock();
      let revokedHere = false;
      const revoked = await update(id, (current) => {
        revokedHere = current.revokedAt === null;
        return revokedHere ? { ...current, revokedAt: now, revokedReason: reason } : current;
      });
      if (!revoked || !revokedHere) return undefined;
      await indexOf(revoked).remove(id);
      return revoked;
    },

    /** The ids of the user's newest sessions of `generation` (at most LISTED_SESSIONS). */
    async listIds(userId: string, generation: number): Promise<string[]> {
      const page = await store.index(indexName(userId, generation)).page({ limit: LISTED_SESSIONS });
      return page.items.map((item) => item.member);
    },

    /** Drops ids whose record is gone from the user's list of that generation. */
    async removeFromIndex(userId: string, generation: number, ids: readonly string[]): Promise<void> {
      const list = store.index(indexName(userId, generation));
      await Promise.all(ids.map((id) => list.remove(id)));
    },

    /** How many sessions the generation still lists: those a bump of it ends. */
    countGeneration: (userId: string, generation: number) => store.index(indexName(userId, generation)).count(),

    /** Moves a session into the user's new generation (it survives "log out everywhere else"). */
    async carryOver(session: SessionRecord, generation: number): Promise<SessionRecord | undefined> {
      const moved = await update(session.id, (s) => ({ ...s, generation }));
      if (!moved) return undefined;
      await index(moved);
      await indexOf(session).remove(session.id);
      return moved;
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/** A session is usable when it is not revoked, not past its absolute expiry and of the user's current generation. */
export function isSessionLive(session: SessionRecord, userGeneration: number, now: number): boolean {
  return session.revokedAt === null && session.absoluteExpiresAt > now && session.generation === userGeneration;
}
