/**
 * The collection primitives every backend implements natively beside Keyv's
 * plain reads and writes, so no aggregate is one value rewritten whole: an
 * ordered index (members sorted by a string key) and an append-only log
 * (entries at gap-free positions 1, 2, 3…). Every call costs the same whatever
 * the collection's size; every write is one atomic step on its backend.
 */

export type Order = "asc" | "desc";

/** One page of a collection; `nextCursor` is null when the page reached the end. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface IndexEntry {
  member: string;
  key: string;
}

export interface IndexPageOptions {
  /** "desc" (the default) starts at the highest key: newest first for time-ordered keys. */
  order?: Order;
  /** From a previous page: continues after that page's last entry, in either order. */
  cursor?: string;
  limit: number;
  /** Only entries whose key starts with this text. */
  prefix?: string;
}

export interface IndexAddOptions {
  /** The member leaves the index this long after this add; without it the member stays until removed. */
  ttlMs?: number;
}

/**
 * Members (ids) sorted by a string key, then by member; a member is in the
 * index at most once. Keys compare by Unicode code point (the byte order of
 * their UTF-8), the same on every backend.
 */
export interface OrderedIndex {
  /** Puts `member` at `key`, moving it if it was elsewhere; true when it was not in the index. */
  add(member: string, key: string, options?: IndexAddOptions): Promise<boolean>;
  /** True when the member was in the index. */
  remove(member: string): Promise<boolean>;
  /** The member's key, or undefined when it is not in the index. */
  keyOf(member: string): Promise<string | undefined>;
  page(options: IndexPageOptions): Promise<Page<IndexEntry>>;
  count(): Promise<number>;
  /** Removes the whole index (its owner is gone); cost grows with the index's own size only. */
  drop(): Promise<void>;
}

export interface LogEntry<T> {
  position: number;
  value: T;
}

export interface AppendOptions {
  /** Keeps at most this many newest entries: older ones leave in the same atomic step as the append. */
  maxLength?: number;
  /**
   * The whole log (entries and length) is deleted once nothing was appended for
   * this long; positions then start again at 1. Without it the log never expires.
   */
  idleTtlMs?: number;
}

export type ConditionalAppend<T> = { appended: true } | { appended: false; length: number; last: LogEntry<T> | undefined };

export interface LogPageOptions {
  /** "desc" (the default) starts at the newest entry. */
  order?: Order;
  cursor?: string;
  limit: number;
}

/**
 * Entries at gap-free positions: the n-th append to a log gets position n, on
 * any number of instances at once. Entries are never changed; the oldest may
 * leave (`maxLength`, `trim`), the log's length never goes back (except when
 * the whole log expires, `idleTtlMs`, or is dropped).
 */
export interface AppendLog<T> {
  /** Appends one entry in one atomic step and returns its position. */
  append(value: T, options?: AppendOptions): Promise<number>;
  /**
   * Appends `values` at positions `length + 1`… only if the log's length is
   * still `length`; otherwise appends nothing and returns the actual length and
   * last entry, read in the same step. Lets a writer chain each entry to the one
   * before it (a MAC over the previous MAC) without any lock.
   */
  appendAfter(length: number, values: readonly T[], options?: AppendOptions): Promise<ConditionalAppend<T>>;
  /** The entry at `position`, or undefined when it never existed or has left the log. */
  get(position: number): Promise<T | undefined>;
  page(options: LogPageOptions): Promise<Page<LogEntry<T>>>;
  /** The last position assigned: how many entries were ever appended (0 for an empty log). */
  length(): Promise<number>;
  /**
   * Removes the entries before `position` (the oldest), at most `MAX_TRIM` per
   * call so no call grows with the backlog; returns the oldest position still
   * in the log (`length + 1` when none is). Call again while it is below `position`.
   */
  trim(position: number): Promise<number>;
  drop(): Promise<void>;
}

/** A cursor, limit, key or name the store cannot accept: the caller's input was wrong. */
export class InvalidCollectionInputError extends Error {
  override readonly name = "InvalidCollectionInputError";
}
