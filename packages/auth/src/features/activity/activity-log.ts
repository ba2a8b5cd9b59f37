import type { Clock, Store } from "@gatehouse/store";
import { STORE_COLLECTIONS } from "../../store-keys.js";

export interface ActivityEntry {
  event: string;
  at: number;
  ip: string;
  userAgent: string;
}

/** A user's log keeps its newest events only: an attacker's failed logins cannot grow it without bound. */
export const ACTIVITY_MAX_LENGTH = 200;
/** A log with nothing new for this long is deleted whole (a gone or dormant user's history). */
export const ACTIVITY_IDLE_MS = 90 * 24 * 3600_000;
const RETENTION = { maxLength: ACTIVITY_MAX_LENGTH, idleTtlMs: ACTIVITY_IDLE_MS };

/** A user's own security events, newest first: one append-only log per user, each append one atomic step. */
export function createActivityLog(store: Store, clock: Clock) {
  const logOf = (userId: string) => store.log<ActivityEntry>(STORE_COLLECTIONS.activityOfUser(userId));
  return {
    async append(userId: string, entry: Omit<ActivityEntry, "at">): Promise<void> {
      await logOf(userId).append({ event: entry.event, at: clock(), ip: entry.ip, userAgent: entry.userAgent }, RETENTION);
    },

    async page(userId: string, cursor: string | undefined, limit: number) {
      const page = await logOf(userId).page({ limit, ...(cursor ? { cursor } : {}) });
      return { items: page.items.map((item) => item.value), nextCursor: page.nextCursor };
    },

    /** Fills a user's empty log with older entries (oldest first) in one step; a log that has entries is left as it is. */
    async importInto(userId: string, entries: readonly ActivityEntry[]): Promise<void> {
      if (entries.length > 0) await logOf(userId).appendAfter(0, entries.slice(-ACTIVITY_MAX_LENGTH), RETENTION);
    },
  };
}

export type ActivityLog = ReturnType<typeof createActivityLog>;
