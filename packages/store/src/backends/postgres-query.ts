import type pg from "pg";

/**
 * One statement on the pool. A `name` makes it a prepared statement on each
 * connection (parsed and planned once, not on every call); names are unique
 * per statement text.
 */
export type PostgresQuery = (name: string | undefined, text: string, values: unknown[]) => Promise<pg.QueryResult>;

export const createPostgresQuery =
  (pool: pg.Pool): PostgresQuery =>
  (name, text, values) =>
    pool.query(name === undefined ? { text, values } : { name, text, values });

/** An unexpired row, with the caller's now as parameter $2 (every table's expiry is a nullable ms column). */
export const LIVE = "(expires_at IS NULL OR expires_at > $2)";
