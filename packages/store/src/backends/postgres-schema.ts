import type pg from "pg";

/** Number of rows each index's size is spread over: concurrent adds to one index rarely wait for one another. */
export const SIZE_SHARDS = 16;

// Any constant shared by every instance: pg_advisory_xact_lock takes a bigint.
const SCHEMA_LOCK = 0x6761_7465_6875;
const SWEEP_LOCK = SCHEMA_LOCK + 1;
const MIGRATION_TIMEOUT_MS = 60_000;

/**
 * The tables: `gatehouse_kv` is the table Keyv's Postgres adapter reads and
 * writes (key, value). Keyv keeps an entry's expiry inside the value, as its
 * last member (`{"value":…,"expires":ms}`); Postgres mirrors it into the
 * indexed `expires_at` column, so every statement can filter on it and the
 * sweep can find expired rows without parsing values. Text columns compare with
 * the "C" collation: bytes, which for UTF-8 is code point order, as on every
 * other backend.
 *
 * Each index's size is spread over SIZE_SHARDS rows (`gatehouse_index_sizes`):
 * with one size row per index, every add to that index waits for the previous
 * add's commit. Measured with 16 concurrent adds to one index here: one row
 * 470–650 adds/s, 16 rows 1,380–1,540/s, no count at all 3,030/s. The sum of
 * an index's rows counts its rows in `gatehouse_index_members`, expired or not;
 * a count subtracts the expired ones not yet swept (a partial index finds them).
 */
const TABLES = `
CREATE TABLE IF NOT EXISTS gatehouse_kv (
  key text COLLATE "C" PRIMARY KEY,
  value text NOT NULL,
  expires_at bigint GENERATED ALWAYS AS (ceil(substring(value FROM ',"expires":([0-9]+(?:\\.[0-9]+)?)\\}$')::numeric)::bigint) STORED
);
CREATE INDEX IF NOT EXISTS gatehouse_kv_expiry ON gatehouse_kv (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE IF NOT EXISTS gatehouse_index_members (
  name text COLLATE "C" NOT NULL,
  member text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  expires_at bigint,
  PRIMARY KEY (name, member)
);
CREATE INDEX IF NOT EXISTS gatehouse_index_members_order ON gatehouse_index_members (name, key, member);
CREATE INDEX IF NOT EXISTS gatehouse_index_members_expiring ON gatehouse_index_members (name, expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS gatehouse_index_members_expiry ON gatehouse_index_members (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS gatehouse_index_sizes (
  name text COLLATE "C" NOT NULL,
  shard smallint NOT NULL,
  size bigint NOT NULL,
  PRIMARY KEY (name, shard)
);

CREATE TABLE IF NOT EXISTS gatehouse_logs (
  name text COLLATE "C" PRIMARY KEY,
  length bigint NOT NULL,
  first bigint NOT NULL,
  expires_at bigint
);
CREATE INDEX IF NOT EXISTS gatehouse_logs_expiry ON gatehouse_logs (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS gatehouse_log_entries (
  name text COLLATE "C" NOT NULL,
  position bigint NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (name, position)
);
`;

/**
 * Every collection write is one function call: one round trip, one
 * transaction. Under READ COMMITTED each statement inside sees the latest
 * committed rows, so the functions rely on row locks (the member's row, the
 * log's row) rather than on snapshots. Lock order is always the collection's
 * own row first, then a size row, so concurrent calls cannot deadlock.
 */
const FUNCTIONS = `
CREATE OR REPLACE FUNCTION gatehouse_index_resize(p_name text, p_by bigint) RETURNS void LANGUAGE sql AS $$
  INSERT INTO gatehouse_index_sizes AS s (name, shard, size) VALUES (p_name, floor(random() * ${SIZE_SHARDS})::smallint, p_by)
  ON CONFLICT (name, shard) DO UPDATE SET size = s.size + excluded.size
$$;

-- Deletes an index's size rows when they sum to zero. Only the rows locked here go, and locked rows
-- cannot change, so the sum of what stays is unchanged whatever runs at the same time.
CREATE OR REPLACE FUNCTION gatehouse_index_tidy(p_name text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE v_shards smallint[]; v_total numeric;
BEGIN
  SELECT array_agg(shard), sum(size) INTO v_shards, v_total
    FROM (SELECT shard, size FROM gatehouse_index_sizes WHERE name = p_name FOR UPDATE) AS held;
  IF v_total = 0 THEN
    DELETE FROM gatehouse_index_sizes WHERE name = p_name AND shard = ANY (v_shards);
  END IF;
END $$;

-- True when the member was not in the index (absent, or present but expired).
CREATE OR REPLACE FUNCTION gatehouse_index_add(p_name text, p_member text, p_key text, p_expires_at bigint, p_now bigint)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE v_held bigint;
BEGIN
  LOOP
    INSERT INTO gatehouse_index_members (name, member, key, expires_at) VALUES (p_name, p_member, p_key, p_expires_at)
      ON CONFLICT (name, member) DO NOTHING;
    IF FOUND THEN
      PERFORM gatehouse_index_resize(p_name, 1);
      RETURN true;
    END IF;
    SELECT expires_at INTO v_held FROM gatehouse_index_members WHERE name = p_name AND member = p_member FOR UPDATE;
    IF FOUND THEN
      UPDATE gatehouse_index_members SET key = p_key, expires_at = p_expires_at WHERE name = p_name AND member = p_member;
      RETURN v_held IS NOT NULL AND v_held <= p_now;
    END IF;
    -- Removed between the two statements: insert again.
  END LOOP;
END $$;

-- True when the member was in the index and unexpired.
CREATE OR REPLACE FUNCTION gatehouse_index_remove(p_name text, p_member text, p_now bigint) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE v_held bigint;
BEGIN
  DELETE FROM gatehouse_index_members WHERE name = p_name AND member = p_member RETURNING expires_at INTO v_held;
  IF NOT FOUND THEN RETURN false; END IF;
  PERFORM gatehouse_index_resize(p_name, -1);
  RETURN v_held IS NULL OR v_held > p_now;
END $$;

CREATE OR REPLACE FUNCTION gatehouse_index_drop(p_name text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE v_gone bigint;
BEGIN
  WITH gone AS (DELETE FROM gatehouse_index_members WHERE name = p_name RETURNING 1) SELECT count(*) INTO v_gone FROM gone;
  IF v_gone > 0 THEN PERFORM gatehouse_index_resize(p_name, -v_gone); END IF;
  PERFORM gatehouse_index_tidy(p_name);
END $$;

-- Appends p_values at length + 1… (only if the length is p_if_length, when given) under the log row's lock.
-- A log idle past its expiry is gone: its entries are cleared and positions start again at 1.
CREATE OR REPLACE FUNCTION gatehouse_log_append(p_name text, p_values text[], p_if_length bigint, p_max_length bigint, p_expires_at bigint, p_now bigint,
  OUT o_appended boolean, OUT o_length bigint, OUT o_last text) LANGUAGE plpgsql AS $$
DECLARE v_length bigint; v_first bigint; v_expires bigint; v_keep bigint;
BEGIN
  INSERT INTO gatehouse_logs (name, length, first) VALUES (p_name, 0, 1) ON CONFLICT (name) DO NOTHING;
  SELECT length, first, expires_at INTO v_length, v_first, v_expires FROM gatehouse_logs WHERE name = p_name FOR UPDATE;
  IF v_expires IS NOT NULL AND v_expires <= p_now THEN
    DELETE FROM gatehouse_log_entries WHERE name = p_name;
    v_length := 0;
    v_first := 1;
    UPDATE gatehouse_logs SET length = 0, first = 1, expires_at = NULL WHERE name = p_name;
  END IF;
  IF p_if_length IS NOT NULL AND p_if_length <> v_length THEN
    -- Leave no row behind for a log that holds nothing.
    IF v_length = 0 THEN DELETE FROM gatehouse_logs WHERE name = p_name; END IF;
    o_appended := false;
    o_length := v_length;
    SELECT value INTO o_last FROM gatehouse_log_entries WHERE name = p_name AND position = v_length;
    RETURN;
  END IF;
  INSERT INTO gatehouse_log_entries (name, position, value)
    SELECT p_name, v_length + t.ordinality, t.value FROM unnest(p_values) WITH ORDINALITY AS t(value, ordinality);
  v_length := v_length + cardinality(p_values);
  IF p_max_length IS NOT NULL AND v_length - p_max_length + 1 > v_first THEN
    v_keep := v_length - p_max_length + 1;
    DELETE FROM gatehouse_log_entries WHERE name = p_name AND position >= v_first AND position < v_keep;
    v_first := v_keep;
  END IF;
  UPDATE gatehouse_logs SET length = v_length, first = v_first, expires_at = p_expires_at WHERE name = p_name;
  o_appended := true;
  o_length := v_length;
END $$;

-- Removes the entries before p_position, at most p_limit; returns the oldest position left.
CREATE OR REPLACE FUNCTION gatehouse_log_trim(p_name text, p_position bigint, p_limit bigint, p_now bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v_length bigint; v_first bigint; v_expires bigint; v_cut bigint;
BEGIN
  SELECT length, first, expires_at INTO v_length, v_first, v_expires FROM gatehouse_logs WHERE name = p_name FOR UPDATE;
  IF NOT FOUND THEN RETURN 1; END IF;
  IF v_expires IS NOT NULL AND v_expires <= p_now THEN
    DELETE FROM gatehouse_log_entries WHERE name = p_name;
    DELETE FROM gatehouse_logs WHERE name = p_name;
    RETURN 1;
  END IF;
  v_cut := least(p_position, v_length + 1, v_first + p_limit);
  IF v_cut <= v_first THEN RETURN v_first; END IF;
  DELETE FROM gatehouse_log_entries WHERE name = p_name AND position >= v_first AND position < v_cut;
  UPDATE gatehouse_logs SET first = v_cut WHERE name = p_name;
  RETURN v_cut;
END $$;

-- The log row's lock first, so no append is halfway through when the entries go.
CREATE OR REPLACE FUNCTION gatehouse_log_drop(p_name text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM gatehouse_logs WHERE name = p_name FOR UPDATE;
  DELETE FROM gatehouse_log_entries WHERE name = p_name;
  DELETE FROM gatehouse_logs WHERE name = p_name;
END $$;

-- Removes up to p_batch expired entries, p_batch expired index members and p_batch idle logs; returns how many
-- rows went. One instance sweeps at a time; rows another call holds are left for the next round.
CREATE OR REPLACE FUNCTION gatehouse_sweep(p_now bigint, p_batch integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v_removed bigint := 0; v_count bigint; v_names text[]; v_counts bigint[]; v_log text;
BEGIN
  IF NOT pg_try_advisory_xact_lock(${SWEEP_LOCK}) THEN RETURN 0; END IF;
  DELETE FROM gatehouse_kv WHERE key IN (
    SELECT key FROM gatehouse_kv WHERE expires_at <= p_now LIMIT p_batch FOR UPDATE SKIP LOCKED
  ) AND expires_at <= p_now;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  v_removed := v_removed + v_count;

  WITH gone AS (
    DELETE FROM gatehouse_index_members WHERE (name, member) IN (
      SELECT name, member FROM gatehouse_index_members WHERE expires_at <= p_now LIMIT p_batch FOR UPDATE SKIP LOCKED
    ) AND expires_at <= p_now RETURNING name
  ), per_index AS (SELECT name, count(*) AS gone FROM gone GROUP BY name ORDER BY name)
  SELECT array_agg(name), array_agg(gone) INTO v_names, v_counts FROM per_index;
  FOR i IN 1 .. coalesce(cardinality(v_names), 0) LOOP
    PERFORM gatehouse_index_resize(v_names[i], -v_counts[i]);
    PERFORM gatehouse_index_tidy(v_names[i]);
    v_removed := v_removed + v_counts[i];
  END LOOP;

  FOR v_log IN SELECT name FROM gatehouse_logs WHERE expires_at <= p_now ORDER BY name LIMIT p_batch FOR UPDATE SKIP LOCKED LOOP
    DELETE FROM gatehouse_log_entries WHERE name = v_log;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_removed := v_removed + v_count;
    DELETE FROM gatehouse_logs WHERE name = v_log;
  END LOOP;
  RETURN v_removed;
END $$;
`;

/**
 * Creates the tables, indexes and functions if they are missing. Instances
 * starting together take turns on an advisory lock (concurrent CREATE … IF NOT
 * EXISTS of one table can otherwise fail on the catalog's unique index); each
 * finds the work done or does it, all in one transaction.
 */
export async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    // Another instance may hold the lock while it creates everything: wait longer than a normal statement
    // (the server's statement_timeout and the pool's client-side query_timeout alike).
    const slow = (text: string, values?: unknown[]) => client.query({ text, values, query_timeout: MIGRATION_TIMEOUT_MS } as pg.QueryConfig);
    await slow("BEGIN");
    await slow(`SET LOCAL statement_timeout = ${MIGRATION_TIMEOUT_MS}`);
    await slow("SELECT pg_advisory_xact_lock($1)", [SCHEMA_LOCK]);
    await slow(TABLES + FUNCTIONS);
    await slow("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
