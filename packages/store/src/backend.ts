import type { KeyvStoreAdapter } from "keyv";
import type { IndexEntry, Order } from "./collections/types.js";

/**
 * What every backend provides beyond Keyv's get/set/delete. Values are raw
 * strings in Keyv's serialized form (`{"value":…}`), so an entry written by an
 * atomic operation reads back through Keyv and the other way round.
 *
 * Each operation is atomic on its backend: a single synchronous step for the
 * memory map and SQLite (one process), a single command or Lua script on Redis,
 * one statement or function call on Postgres (across processes).
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
  compareAndSwap(key: string, expected: string | undefined, next: string | undefined, ttlMs?: number): Promise<boolean>;
  /** The ordered indexes and append-only logs, each implemented natively. */
  readonly collections: CollectionBackend;
  /** Reads started together go to Keyv as one `getMany` (worth it where every read is a round trip). */
  batchReads?: boolean;
  /** Bounds Keyv's own calls the way the backend bounds its commands (timeouts). */
  guard?<T>(operation: Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A position in an index: entries compare by key, then member. */
export interface IndexBound extends IndexEntry {
  inclusive: boolean;
}

export interface IndexRange {
  /** Entries from `low` to `high` (either may be open), walked in `order`. */
  low: IndexBound | undefined;
  high: IndexBound | undefined;
  order: Order;
  limit: number;
}

export interface IndexRangeResult {
  entries: IndexEntry[];
  /** Where the next page starts (exclusive) when entries may remain, else null. */
  next: IndexEntry | null;
}

export interface LogRange {
  order: Order;
  /** Exclusive: the page starts beyond this position in `order`. */
  after: number | undefined;
  limit: number;
}

export interface LogRangeResult {
  entries: Array<{ position: number; raw: string }>;
  next: number | null;
}

export interface LogAppendOptions {
  /** Append only when the log's length is this (undefined: always). */
  ifLength: number | undefined;
  maxLength: number | undefined;
  idleTtlMs: number | undefined;
}

export interface LogAppendResult {
  appended: boolean;
  /** The log's length after the call: the last position assigned. */
  length: number;
  /** When refused: the entry at `length`, read in the same step (undefined if it has left the log). */
  last: string | undefined;
}

/**
 * Collections by name (already prefixed by the store). Every method is one
 * atomic step on its backend, and its cost does not grow with the size of the
 * collection (except `indexDrop`/`logDrop`, which grow with that one collection).
 * An expired index member reads as absent everywhere, swept or not.
 */
export interface CollectionBackend {
  indexAdd(name: string, member: string, key: string, ttlMs: number | undefined): Promise<boolean>;
  indexRemove(name: string, member: string): Promise<boolean>;
  indexKeyOf(name: string, member: string): Promise<string | undefined>;
  indexRange(name: string, range: IndexRange): Promise<IndexRangeResult>;
  indexCount(name: string): Promise<number>;
  indexDrop(name: string): Promise<void>;
  /** Raw entries get positions `length + 1`…, in order. */
  logAppend(name: string, raws: readonly string[], options: LogAppendOptions): Promise<LogAppendResult>;
  logGet(name: string, position: number): Promise<string | undefined>;
  logRange(name: string, range: LogRange): Promise<LogRangeResult>;
  logLength(name: string): Promise<number>;
  /** Entries before `position` leave the log, at most `limit` of them; returns the oldest position left. */
  logTrim(name: string, position: number, limit: number): Promise<number>;
  logDrop(name: string): Promise<void>;
}

/** Local backends hold entries in this process or file and purge expired ones themselves. */
export interface LocalMaintenance {
  /** Deletes expired entries, expired index members and the entries of idle logs now; returns how many. */
  sweep(): number;
  /** Entries, index members and log entries held, expired or not: what memory or disk actually carries. */
  countEntries(): number;
}

export function encodeValue(value: unknown): string {
  return JSON.stringify({ value });
}

export function decodeValue<T>(raw: string): T {
  return (JSON.parse(raw) as { value: T }).value;
}
