import KeyvPostgres from "@keyv/postgres";
import type { KeyvStoreAdapter } from "keyv";
import { LIVE, type PostgresQuery } from "./postgres-query.js";

export const KV_TABLE = "gatehouse_kv";

/**
 * Keyv's entry with its expiry member taken off. Keyv compares that member
 * with its own clock after the read and deletes the key when it has passed;
 * a row read just before its expiry would then be deleted just after it,
 * possibly after another call had written the key anew. The SQL filter is the
 * one judge of expiry, so Keyv is handed the value without it.
 */
const withoutExpiry = (value: string, expiresAt: string | null): string =>
  expiresAt === null ? value : `${value.slice(0, value.lastIndexOf(',"expires":'))}}`;

/**
 * Keyv's Postgres adapter on the backend's own pool and table. Its writes
 * (`set`, `setMany`: an upsert of key and value) are used as they are; Postgres
 * derives the expiry column from the value they write (see postgres-schema.ts).
 * Replaced: the connection (the adapter's own is one pool per process, shared by
 * every adapter for the same URL and ended by the first to disconnect), the
 * reads (only unexpired rows, one statement for many keys), and `delete` (one
 * statement, true only for an unexpired row; the adapter's reads, then deletes).
 */
export function createPostgresKeyvAdapter(query: PostgresQuery, schema: string, now: () => number): KeyvStoreAdapter {
  class GatehouseKeyvPostgres extends KeyvPostgres {
    override async connect() {
      return async (text: string, values?: unknown[]) => (await query(undefined, text, values ?? [])).rows;
    }

    override async get(key: string): Promise<string | undefined> {
      const { rows } = await query("kv_get", `SELECT value, expires_at FROM ${KV_TABLE} WHERE key = $1 AND ${LIVE}`, [key, now()]);
      const row = rows[0] as { value: string; expires_at: string | null } | undefined;
      return row && withoutExpiry(row.value, row.expires_at);
    }

    override async getMany(keys: string[]): Promise<Array<string | undefined>> {
      const { rows } = await query("kv_get_many", `SELECT key, value, expires_at FROM ${KV_TABLE} WHERE key = ANY ($1) AND ${LIVE}`, [keys, now()]);
      const found = new Map(
        (rows as Array<{ key: string; value: string; expires_at: string | null }>).map((row) => [row.key, withoutExpiry(row.value, row.expires_at)]),
      );
      return keys.map((key) => found.get(key));
    }

    override async delete(key: string): Promise<boolean> {
      const { rows } = await query("kv_delete", `DELETE FROM ${KV_TABLE} WHERE key = $1 RETURNING ${LIVE} AS live`, [key, now()]);
      return (rows[0] as { live: boolean } | undefined)?.live === true;
    }

    // The backend owns the pool and ends it on close.
    override async disconnect(): Promise<void> {}
  }

  const adapter = new GatehouseKeyvPostgres({ table: KV_TABLE, schema });
  // Failures reach the caller through the rejected call; the event needs a listener so it cannot crash the process.
  adapter.on("error", () => {});
  // Keyv's adapter type is generic in the value; this one stores Keyv's serialized text, as Keyv's own adapter does.
  return adapter as unknown as KeyvStoreAdapter;
}
