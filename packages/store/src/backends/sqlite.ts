import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "libsql";
import type { AtomicBackend, LocalMaintenance } from "../backend.js";
import type { Clock } from "../clock.js";
import { SyncKeyvAdapter, type SyncEntries } from "./keyv-adapter.js";

export interface SqliteBackendOptions {
  path: string;
  clock: Clock;
  sweepIntervalMs?: number;
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
 * A single-table SQLite file through libsql's synchronous API. Each operation
 * is one SQL statement, so it is atomic even if two processes share the file;
 * an acknowledged write survives `kill -9` (see the pragma below).
 */
export function createSqliteBackend(options: SqliteBackendOptions): AtomicBackend & LocalMaintenance {
  const { path, clock, sweepIntervalMs = 60_000 } = options;
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // In WAL mode NORMAL syncs at checkpoints, not on every commit: a committed
  // write survives a crash or kill -9 of the process (it is in the WAL, in the
  // OS's hands); only a power loss or kernel crash can drop the last commits.
  // FULL would add a disk flush (~0.5 ms here) to every rate-limit count.
  db.pragma("synchronous = NORMAL");
  // Checkpoints reuse the WAL file; this truncates it back after a burst instead of keeping its peak size.
  db.pragma("journal_size_limit = 67108864");
  db.pragma("busy_timeout = 5000");
  db.exec(SCHEMA);

  const statements = {
    read: db.prepare(`SELECT value FROM kv WHERE key = @key AND ${LIVE}`).raw(true),
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
    increment: db.prepare(
      `INSERT INTO kv (key, value, expires_at) VALUES (@key, json_object('value', @by), @expiresAt)
       ON CONFLICT (key) DO UPDATE SET
         value = CASE WHEN ${LIVE.replaceAll("expires_at", "kv.expires_at")}
                      THEN json_object('value', json_extract(kv.value, '$.value') + @by)
                      ELSE excluded.value END,
         expires_at = CASE WHEN ${LIVE.replaceAll("expires_at", "kv.expires_at")}
                           THEN kv.expires_at ELSE excluded.expires_at END
       RETURNING json_extract(value, '$.value')`,
    ).raw(true),
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

  const expiryFrom = (ttlMs: number | undefined): number | null =>
    ttlMs === undefined ? null : clock() + ttlMs;

  const insertIfAbsent = (key: string, raw: string, ttlMs: number | undefined): boolean =>
    statements.insertIfAbsent.run({ key, value: raw, expiresAt: expiryFrom(ttlMs), now: clock() })
      .changes > 0;

  const entries: SyncEntries = {
    read: (key) => first(statements.read.get({ key, now: clock() })) as string | undefined,
    write: (key, raw, ttlMs) => {
      statements.write.run({ key, value: raw, expiresAt: expiryFrom(ttlMs) });
    },
    remove: (key) => statements.remove.run({ key, now: clock() }).changes > 0,
    removeAll: () => {
      statements.removeAll.run();
    },
  };

  const sweep = (): number => statements.sweep.run({ now: clock() }).changes;
  const timer = setInterval(sweep, sweepIntervalMs);
  timer.unref();
  sweep();

  return {
    keyvAdapter: new SyncKeyvAdapter(entries),
    async getRaw(key) {
      return entries.read(key);
    },
    async setIfAbsent(key, raw, ttlMs) {
      return insertIfAbsent(key, raw, ttlMs);
    },
    async take(key) {
      return first(statements.take.get({ key, now: clock() })) as string | undefined;
    },
    async increment(key, by, ttlMs) {
      return Number(first(statements.increment.get({ key, by, expiresAt: expiryFrom(ttlMs), now: clock() })));
    },
    async compareAndSwap(key, expected, next, ttlMs) {
      const now = clock();
      if (expected === undefined) {
        return next === undefined ? entries.read(key) === undefined : insertIfAbsent(key, next, ttlMs);
      }
      if (next === undefined) return statements.swapDelete.run({ key, expected, now }).changes > 0;
      const keepTtl = ttlMs === undefined ? 1 : 0;
      return (
        statements.swap.run({ key, expected, next, keepTtl, expiresAt: expiryFrom(ttlMs), now })
          .changes > 0
      );
    },
    sweep,
    countEntries: () => Number(first(statements.count.get())),
    async ping() {
      db.prepare("SELECT 1").get();
    },
    async close() {
      clearInterval(timer);
      db.close();
    },
  };
}
