import type { Clock, Store } from "@gatehouse/store";
import { createAppendLog } from "../audit/append-log.js";

export interface ActivityEntry {
  event: string;
  at: number;
  ip: string;
  userAgent: string;
}

const RETENTION_MS = 90 * 24 * 3600_000;

/** A user's own security events, newest first; one append log per user. */
export function createActivityLog(store: Store, clock: Clock) {
  const logOf = (userId: string) => createAppendLog<ActivityEntry>(store, `activity:${userId}`, RETENTION_MS);
  return {
    append: (userId: string, entry: Omit<ActivityEntry, "at">) => logOf(userId).append(() => ({ ...entry, at: clock() })),
    page: (userId: string, cursor: number | undefined, limit: number) => logOf(userId).page(cursor, limit),
  };
}

export type ActivityLog = ReturnType<typeof createActivityLog>;
