import type { KeyvStoreAdapter } from "keyv";

/**
 * What every backend provides beyond Keyv's get/set/delete. Values are raw
 * strings in Keyv's serialized form (`{"value":…}`), so an entry written by an
 * atomic operation reads back through Keyv and the other way round.
 *
 * Each operation is atomic on its backend: a single synchronous step for the
 * memory map and SQLite (one process), a single command or Lua script on Redis
 * (across processes).
 */
export interface AtomicBackend {
  readonly keyvAdapter: KeyvStoreAdapter;
  getRaw(key: string): Promise<string | undefined>;
  /** Writes only when the key is absent or expired; true when it wrote. */
  setIfAbsent(key: string, raw: string, ttlMs?: number): Promise<boolean>;
  /** Reads and deletes in one step: exactly one concurrent caller sees the value. */
  take(key: string): Promise<string | undefined>;
  /** Adds `by` and returns the new count; the TTL is set only when the key is created. */
  increment(key: string, by: number, ttlMs: number): Promise<number>;
  /**
   * `increment`, and in the same step the raw value at `readKey`: a sliding
   * window's current count and its previous window's, in one command on Redis.
   */
  incrementAndRead(key: string, by: number, ttlMs: number, readKey: string): Promise<{ count: number; read: string | undefined }>;
  /**
   * Replaces the value only if it still equals `expected` (undefined = absent).
   * `next` undefined deletes. `ttlMs` undefined keeps the entry's current expiry.
   */
  compareAndSwap(
    key: string,
    expected: string | undefined,
    next: string | undefined,
    ttlMs?: number,
  ): Promise<boolean>;
  /** Reads started together go to Keyv as one `getMany` (worth it where every read is a round trip). */
  batchReads?: boolean;
  /** Bounds Keyv's own calls the way the backend bounds its commands (timeouts). */
  guard?<T>(operation: Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Local backends hold entries in this process or file and purge expired ones themselves. */
export interface LocalMaintenance {
  /** Deletes expired entries now; returns how many. */
  sweep(): number;
  /** Entries held, expired or not: what memory or disk actually carries. */
  countEntries(): number;
}

export function encodeValue(value: unknown): string {
  return JSON.stringify({ value });
}

export function decodeValue<T>(raw: string): T {
  return (JSON.parse(raw) as { value: T }).value;
}
