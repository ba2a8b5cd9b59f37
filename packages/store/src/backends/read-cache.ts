import type { Clock } from "../clock.js";

type Recalled = { known: true; raw: string | undefined; expiresAt: number | null } | { known: false };

interface Known {
  /** undefined: the key is known to be absent. */
  raw: string | undefined;
  expiresAt: number | null;
}

const UNKNOWN: Recalled = { known: false };

/**
 * The last known state of recently used keys, for a backend through which
 * every write passes (the file is this process's alone). Bounded: the least
 * recently used key goes first. An expired entry reads as absent, exactly as
 * the table's own expiry rule says.
 */
export function createReadCache(maxEntries: number, clock: Clock) {
  const entries = new Map<string, Known>();
  return {
    recall(key: string): Recalled {
      const entry = entries.get(key);
      if (!entry) return UNKNOWN;
      // Re-inserting moves the key to the young end of the Map's order.
      entries.delete(key);
      entries.set(key, entry);
      const live = entry.expiresAt === null || entry.expiresAt > clock();
      return live ? { known: true, raw: entry.raw, expiresAt: entry.expiresAt } : { known: true, raw: undefined, expiresAt: null };
    },
    remember(key: string, raw: string | undefined, expiresAt: number | null): void {
      if (maxEntries <= 0) return;
      entries.delete(key);
      entries.set(key, { raw, expiresAt });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
    forget(key: string): void {
      entries.delete(key);
    },
    clear(): void {
      entries.clear();
    },
  };
}
