import pg from "pg";
import { decodeValue, type AtomicBackend } from "../backend.js";
import { createPostgresCollections } from "./postgres-collections.js";
import { createPostgresKeyvAdapter, KV_TABLE } from "./postgres-keyv.js";
import { createPostgresQuery, LIVE } from "./postgres-query.js";
import { migrate } from "./postgres-schema.js";

export interface PostgresBackendOptions {
  /** `postgres://USER[:PASS]@HOST:PORT/DB` (query parameters such as `sslmode` are passed to the driver). */
  url: string;
  /** Bounded latency during an outage: a statement, or a wait for a connection, that takes longer fails. */
  commandTimeoutMs?: number;
  /** Connections this instance opens at most. */
  poolSize?: number;
  sweepIntervalMs?: number;
  /** Rows of each kind one sweep call removes at most; the sweep calls again while there were that many. */
  sweepBatch?: number;
}

export interface PostgresMaintenance {
  /** Deletes expired entries, expired index members and idle logs now; returns how many rows went. */
  sweep(): Promise<number>;
}

// Keyv's form of an entry with a TTL: the expiry as the value's last member (see postgres-schema.ts).
const withExpiry = (raw: string, expiresAt: number): string => `${raw.slice(0, -1)},"expires":${expiresAt}}`;
// Expiry columns and parameters are whole milliseconds; a fractional TTL rounds up.
const expiryAfter = (now: number, ttlMs: number): number => Math.ceil(now + ttlMs);

/**
 * Postgres through Keyv's Postgres adapter for plain reads and writes and SQL
 * for the atomic operations: each is one statement (an upsert, a conditional
 * update or delete with RETURNING), atomic across every instance by the row's
 * lock. Expiry is a column every statement filters on, stamped with the
 * instances' clocks (Keyv stamps its own writes with Date.now()), and a
 * periodic sweep deletes what has expired.
 */
export async function createPostgresBackend(options: PostgresBackendOptions): Promise<AtomicBackend & PostgresMaintenance> {
  const { url, commandTimeoutMs = 2_000, poolSize = 10, sweepIntervalMs = 60_000, sweepBatch = 1_000 } = options;
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // A server that does not answer fails the call instead of holding it: the server cancels a slow statement,
    // the client gives up on a silent connection, and waiting for a free connection is bounded too.
    statement_timeout: commandTimeoutMs,
    query_timeout: commandTimeoutMs + 500,
    connectionTimeoutMillis: commandTimeoutMs,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection the server dropped is removed from the pool; the next call opens a new one.
  pool.on("error", () => {});
  const query = createPostgresQuery(pool);
  const now = () => Date.now();

  let schema: string;
  try {
    await migrate(pool);
    schema = ((await pool.query("SELECT current_schema() AS schema")).rows[0] as { schema: string }).schema;
  } catch (error) {
    await pool.end();
    throw error;
  }

  const getRaw = async (key: string): Promise<string | undefined> => {
    const { rows } = await query("kv_get_raw", `SELECT value FROM ${KV_TABLE} WHERE key = $1 AND ${LIVE}`, [key, now()]);
    return (rows[0] as { value: string } | undefined)?.value;
  };
  const setIfAbsent = async (key: string, raw: string, ttlMs: number | undefined): Promise<boolean> => {
    const at = now();
    const { rowCount } = await query(
      "kv_set_if_absent",
      `INSERT INTO ${KV_TABLE} AS kv (key, value) VALUES ($1, $3) ON CONFLICT (key) DO UPDATE SET value = excluded.value
        WHERE kv.expires_at IS NOT NULL AND kv.expires_at <= $2`,
      [key, at, ttlMs === undefined ? raw : withExpiry(raw, expiryAfter(at, ttlMs))],
    );
    return rowCount === 1;
  };
  // The count keeps Keyv's `{"value":n,"expires":ms}` shape, so it reads back through Keyv; the expiry is set when
  // the counter is created (or its predecessor had expired) and carried over on every later increment.
  // Counters commit without waiting for the WAL flush: a hot counter (one IP's logins, one user's calls) is one row
  // whose lock every increment waits for, and the flush would hold it each time (measured on one row from 40
  // connections: about 600 increments/s waiting, 4,000–5,400/s not). A crash of Postgres can forget the last
  // fraction of a second of counts (3 × wal_writer_delay at most); every other write waits for the flush.
  const NO_FLUSH_WAIT = "no_flush_wait AS (SELECT set_config('synchronous_commit', 'off', true))";
  const COUNT = `INSERT INTO ${KV_TABLE} AS kv (key, value)
      SELECT $1, '{"value":' || $3::bigint || ',"expires":' || ($2::bigint + $4::bigint) || '}' FROM no_flush_wait
    ON CONFLICT (key) DO UPDATE SET value = CASE
      WHEN kv.expires_at IS NOT NULL AND kv.expires_at <= $2 THEN excluded.value
      ELSE '{"value":' || ((kv.value::json ->> 'value')::bigint + $3::bigint) || coalesce(',"expires":' || kv.expires_at, '') || '}'
    END
    RETURNING value`;

  const sweep = async (): Promise<number> => {
    let removed = 0;
    for (;;) {
      const { rows } = await query("sweep", "SELECT gatehouse_sweep($1, $2) AS removed", [now(), sweepBatch]);
      const round = Number((rows[0] as { removed: string }).removed);
      removed += round;
      if (round < sweepBatch) return removed;
    }
  };
  // A failed sweep (Postgres away) is tried again at the next interval; calls meanwhile skip expired rows anyway.
  const timer = setInterval(() => void sweep().catch(() => {}), sweepIntervalMs);
  timer.unref();
  let closed = false;

  return {
    keyvAdapter: createPostgresKeyvAdapter(query, schema, now),
    batchReads: true,
    collections: createPostgresCollections(query, now),
    getRaw,
    setIfAbsent,
    async take(key) {
      const { rows } = await query("kv_take", `DELETE FROM ${KV_TABLE} WHERE key = $1 AND ${LIVE} RETURNING value`, [key, now()]);
      return (rows[0] as { value: string } | undefined)?.value;
    },
    async increment(key, by, ttlMs) {
      const { rows } = await query("kv_increment", `WITH ${NO_FLUSH_WAIT} ${COUNT}`, [key, now(), by, Math.ceil(ttlMs)]);
      return decodeValue<number>((rows[0] as { value: string }).value);
    },
    async incrementAndRead(key, by, ttlMs, readKey) {
      const { rows } = await query(
        "kv_increment_and_read",
        `WITH ${NO_FLUSH_WAIT}, counted AS (${COUNT})
         SELECT (SELECT value FROM counted) AS count, (SELECT value FROM ${KV_TABLE} WHERE key = $5 AND ${LIVE}) AS read`,
        [key, now(), by, Math.ceil(ttlMs), readKey],
      );
      const row = rows[0] as { count: string; read: string | null };
      return { count: decodeValue<number>(row.count), read: row.read ?? undefined };
    },
    async compareAndSwap(key, expected, next, ttlMs) {
      if (expected === undefined) return next === undefined ? (await getRaw(key)) === undefined : setIfAbsent(key, next, ttlMs);
      const at = now();
      if (next === undefined) {
        const { rowCount } = await query("kv_swap_delete", `DELETE FROM ${KV_TABLE} WHERE key = $1 AND ${LIVE} AND value = $3`, [key, at, expected]);
        return rowCount === 1;
      }
      // Without a TTL the entry keeps its expiry: the new value carries the old one as its last member.
      const { rowCount } = await query(
        "kv_swap",
        `UPDATE ${KV_TABLE} SET value = CASE WHEN $4::bigint IS NOT NULL THEN left($5, -1) || ',"expires":' || $4::bigint || '}'
            WHEN expires_at IS NULL THEN $5 ELSE left($5, -1) || ',"expires":' || expires_at || '}' END
          WHERE key = $1 AND ${LIVE} AND value = $3`,
        [key, at, expected, ttlMs === undefined ? null : expiryAfter(at, ttlMs), next],
      );
      return rowCount === 1;
    },
    sweep,
    async ping() {
      await query("ping", "SELECT 1", []);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await pool.end();
    },
  };
}
