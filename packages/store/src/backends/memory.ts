import { decodeValue, encodeValue, type AtomicBackend, type LocalMaintenance } from "../backend.js";
import type { Clock } from "../clock.js";
import { StoreUnavailableError } from "../errors.js";
import { LocalKeyvAdapter, type LocalEntries } from "./keyv-adapter.js";
import { createMemoryCollections } from "./memory-collections.js";

export interface MemoryBackendOptions {
  clock: Clock;
  /** Entries kept at most; past it writes fail rather than evict (evicting would drop revocations). */
  maxEntries?: number;
  sweepIntervalMs?: number;
}

interface Entry {
  raw: string;
  expiresAt: number | undefined;
}

/**
 * A Map with expiry, and in-process indexes and logs. Every operation is one
 * synchronous step, so atomic within the process.
 */
export function createMemoryBackend(options: MemoryBackendOptions): AtomicBackend & LocalMaintenance {
  const { clock, maxEntries = 1_000_000, sweepIntervalMs = 60_000 } = options;
  const map = new Map<string, Entry>();

  const live = (key: string): Entry | undefined => {
    const entry = map.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= clock()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  };

  const collections = createMemoryCollections(clock);

  const sweep = (): number => {
    const now = clock();
    let removed = collections.sweep();
    for (const [key, entry] of map) {
      if (entry.expiresAt !== undefined && entry.expiresAt <= now) {
        map.delete(key);
        removed += 1;
      }
    }
    return removed;
  };

  const write = (key: string, raw: string, expiresAt: number | undefined): void => {
    if (!map.has(key) && map.size >= maxEntries) {
      sweep();
      if (map.size >= maxEntries) throw new StoreUnavailableError("memory store is full");
    }
    map.set(key, { raw, expiresAt });
  };

  const expiryFrom = (ttlMs: number | undefined): number | undefined => (ttlMs === undefined ? undefined : clock() + ttlMs);

  const increment = (key: string, by: number, ttlMs: number): number => {
    const entry = live(key);
    const count = (entry ? decodeValue<number>(entry.raw) : 0) + by;
    write(key, encodeValue(count), entry ? entry.expiresAt : expiryFrom(ttlMs));
    return count;
  };

  const entries: LocalEntries = {
    read: (key) => live(key)?.raw,
    write: (key, raw, ttlMs) => write(key, raw, expiryFrom(ttlMs)),
    remove: (key) => live(key) !== undefined && map.delete(key),
    removeAll: () => map.clear(),
  };

  const timer = setInterval(sweep, sweepIntervalMs);
  timer.unref();

  return {
    keyvAdapter: new LocalKeyvAdapter(entries),
    collections,
    async getRaw(key) {
      return live(key)?.raw;
    },
    async setIfAbsent(key, raw, ttlMs) {
      if (live(key)) return false;
      write(key, raw, expiryFrom(ttlMs));
      return true;
    },
    async take(key) {
      const entry = live(key);
      if (entry) map.delete(key);
      return entry?.raw;
    },
    async increment(key, by, ttlMs) {
      return increment(key, by, ttlMs);
    },
    async incrementAndRead(key, by, ttlMs, readKey) {
      return { count: increment(key, by, ttlMs), read: live(readKey)?.raw };
    },
    async compareAndSwap(key, expected, next, ttlMs) {
      const entry = live(key);
      if (entry?.raw !== expected) return false;
      if (next === undefined) {
        map.delete(key);
      } else {
        write(key, next, ttlMs === undefined ? entry?.expiresAt : expiryFrom(ttlMs));
      }
      return true;
    },
    sweep,
    countEntries: () => map.size + collections.countEntries(),
    async ping() {},
    async close() {
      clearInterval(timer);
    },
  };
}
