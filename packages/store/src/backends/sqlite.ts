import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "libsql";
import { decodeValue, encodeValue, type AtomicBackend, type LocalMaintenance } from "../backend.js";
import type { Clock } from "../clock.js";
import { createGroupCommit } from "./group-commit.js";
import { LocalKeyvAdapter, type LocalEntries } from "./keyv-adapter.js";
import { lockFile } from "./file-lock.js";
import { createReadCache } from "./read-cache.js";
import { COLLECTIONS_SCHEMA, createSqliteCollections } from "./sqlite-collections.js";

export interface SqliteBackendOptions {
  path: string;
  clock: Clock;
  sweepIntervalMs?: number;
  /** Entries whose latest state this process keeps in memory, so hot reads skip SQL. */
  readCacheEntries?: number;
  /** How long to wait for another process to let go of the file before giving up. */
  lockTimeoutMs?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  expires_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_expires_at ON kv (expires_at) WHERE expires_at IS NOT NULL;
`;

// "Live" means not expired; an expired row counts as absent everywhere, and
// the upserts below overwrite it as if it were not there.
const LIVE = "(expires_at IS NULL OR expires_at > @now)";

/**
 * A SQLite file (a key-value table, and tables for indexes and logs) through libsql's synchronous API, owned by one
 * process: a lock file is claimed at open, so every write goes through
 * this backend. That is what lets it answer hot reads (sessions, users, API
 * keys on every authenticated call) from memory, and commit the writes of one
 * event-loop turn together. Each operation is one synchronous step (a statement,
 * or a read and a write) inside that turn's transaction, atomic within the
 * process; an acknowledged write survives `kill -9` (see the pragma below).
 * Several instances need a shared store (Postgres, Redis, a Redis Cluster).
 */
export function createSqliteBackend(options: SqliteBackendOptions): AtomicBackend & LocalMaintenance {
  const { path, clock, sweepIntervalMs = 60_000, readCacheEntries = 10_000, lockTimeoutMs = 5_000 } = options;
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const owned = path === ":memory:" ? undefined : lockFile(path, lockTimeoutMs);
  let db: Database.Database;
  try {
    db = new Database(path);
    db.pragma("journal_mode = WAL");
  } catch (error) {
    owned?.release();
    throw error;
  }
  // In WAL mode NORMAL syncs at checkpoints, not on every commit: a committed
  // write survives a crash or kill -9 of the process (it is in the WAL, in the
  // OS's hands); only a power loss or kernel crash can drop the last commits.
  // FULL would add a disk flush (~0.5 ms here) to every rate-limit count.
  db.pragma("synchronous = NORMAL");
  // Checkpoints reuse the WAL file; this truncates it back after a burst instead of keeping its peak size.
  db.pragma("journal_size_limit = 67108864");
  db.pragma("busy_timeout = 5000");
  db.exec(SCHEMA);
  db.exec(COLLECTIONS_SCHEMA);

  const statements = {
    read: db.prepare(`SELECT value, expires_at FROM kv WHERE key = @key AND ${LIVE}`).raw(true),
    write: db.prepare(
      `INSERT INTO kv (key, value, expires_at) VALUES (@key, @value, @expiresAt)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    ),
    remove: db.prepare(`DELETE FROM kv WHERE key = @key AND ${LIVE}`),
    removeAll: db.prepare(`DELETE FROM kv`),
    insertIfAbsent: db.prepare(
      `INSERT INTO kv (key, value, expires_at) VALUES (@key, @value, @expiresAt)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
       WHERE kv.expires_at IS NOT NULL AND kv.expires_at <= @now`,
    ),
    take: db.prepare(`DELETE FROM kv WHERE key = @key AND ${LIVE} RETURNING value`).raw(true),
    swap: db.prepare(
      `UPDATE kv SET value = @next, expires_at = CASE WHEN @keepTtl THEN expires_at ELSE @expiresAt END
       WHERE key = @key AND value = @expected AND ${LIVE}`,
    ),
    swapDelete: db.prepare(`DELETE FROM kv WHERE key = @key AND value = @expected AND ${LIVE}`),
    sweep: db.prepare(`DELETE FROM kv WHERE expires_at IS NOT NULL AND expires_at <= @now`),
    count: db.prepare(`SELECT count(*) FROM kv`).raw(true),
  };

  // libsql ignores pluck(): read single-column rows as arrays instead.
  const first = (row: unknown): unknown => (Array.isArray(row) ? row[0] : undefined);

  const expiryFrom = (ttlMs: number | undefined): number | null => (ttlMs === undefined ? null : clock() + ttlMs);

  const cache = createReadCache(readCacheEntries, clock);
  const inGroup = createGroupCommit(db, () => cache.clear());

  // The live entry's text and expiry (raw undefined: absent or expired), from memory when known.
  const readEntry = (key: string): { raw: string | undefined; expiresAt: number | null } => {
    const cached = cache.recall(key);
    if (cached.known) return cached;
    const row = statements.read.get({ key, now: clock() }) as [string, number | null] | undefined;
    cache.remember(key, row?.[0], row?.[1] ?? null);
    return { raw: row?.[0], expiresAt: row?.[1] ?? null };
  };
  const read = (key: string): string | undefined => readEntry(key).raw;

  const insertIfAbsent = (key: string, raw: string, ttlMs: number | undefined): boolean => {
    const expiresAt = expiryFrom(ttlMs);
    const inserted = statements.insertIfAbsent.run({ key, value: raw, expiresAt, now: clock() }).changes > 0;
    if (inserted) cache.remember(key, raw, expiresAt);
    return inserted;
  };

  // Counted in JS from the known state, written with the plain upsert: no JSON parsing in SQL. Atomic all the
  // same: it runs inside the group's synchronous transaction, and the file is this process's alone.
  const increment = (key: string, by: number, ttlMs: number): number => {
    const { raw, expiresAt } = readEntry(key);
    const count = (raw === undefined ? 0 : decodeValue<number>(raw)) + by;
    const next = encodeValue(count);
    const keptExpiry = raw === undefined ? expiryFrom(ttlMs) : expiresAt;
    statements.write.run({ key, value: next, expiresAt: keptExpiry });
    cache.remember(key, next, keptExpiry);
    return count;
  };

  const entries: LocalEntries = {
    read,
    write: (key, raw, ttlMs) =>
      inGroup(() => {
        const expiresAt = expiryFrom(ttlMs);
        statements.write.run({ key, value: raw, expiresAt });
        cache.remember(key, raw, expiresAt);
      }),
    remove: (key) =>
      inGroup(() => {
        const removed = statements.remove.run({ key, now: clock() }).changes > 0;
        cache.remember(key, undefined, null);
        return removed;
      }),
    removeAll: () =>
      inGroup(() => {
        statements.removeAll.run();
        cache.clear();
      }),
  };

  const collections = createSqliteCollections(db, clock, inGroup);

  // One transaction: an index's size and its members leave together. Timers run between group commits, never inside one.
  const sweep = (): number => {
    db.exec("BEGIN IMMEDIATE");
    try {
      const removed = statements.sweep.run({ now: clock() }).changes + collections.sweep();
      db.exec("COMMIT");
      return removed;
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      throw error;
    }
  };
  const timer = setInterval(sweep, sweepIntervalMs);
  timer.unref();
  sweep();

  return {
    keyvAdapter: new LocalKeyvAdapter(entries),
    collections,
    async getRaw(key) {
      return read(key);
    },
    setIfAbsent: (key, raw, ttlMs) => inGroup(() => insertIfAbsent(key, raw, ttlMs)),
    take: (key) =>
      inGroup(() => {
        const taken = first(statements.take.get({ key, now: clock() })) as string | undefined;
        cache.remember(key, undefined, null);
        return taken;
      }),
    increment: (key, by, ttlMs) => inGroup(() => increment(key, by, ttlMs)),
    incrementAndRead: (key, by, ttlMs, readKey) => inGroup(() => ({ count: increment(key, by, ttlMs), read: read(readKey) })),
    compareAndSwap: (key, expected, next, ttlMs) =>
      inGroup(() => {
        const now = clock();
        if (expected === undefined) {
          return next === undefined ? read(key) === undefined : insertIfAbsent(key, next, ttlMs);
        }
        if (next === undefined) {
          const deleted = statements.swapDelete.run({ key, expected, now }).changes > 0;
          if (deleted) cache.remember(key, undefined, null);
          return deleted;
        }
        const keepTtl = ttlMs === undefined ? 1 : 0;
        const expiresAt = expiryFrom(ttlMs);
        const swapped = statements.swap.run({ key, expected, next, keepTtl, expiresAt, now }).changes > 0;
        // A kept expiry is not known here; the next read fetches it.
        if (swapped && keepTtl) cache.forget(key);
        else if (swapped) cache.remember(key, next, expiresAt);
        return swapped;
      }),
    sweep,
    countEntries: () => Number(first(statements.count.get())) + collections.countEntries(),
    async ping() {
      db.prepare("SELECT 1").get();
    },
    async close() {
      if (!db.open) return;
      clearInterval(timer);
      inGroup.flush();
      db.close();
      owned?.release();
    },
  };
}
