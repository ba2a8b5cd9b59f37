import type { CollectionBackend, IndexRange } from "../backend.js";
import type { IndexEntry } from "../collections/types.js";
import { LIVE, type PostgresQuery } from "./postgres-query.js";

// The largest bigint: "before the end" for a newest-first log page without a cursor.
const END = "9223372036854775807";

/**
 * Indexes and logs in tables (see postgres-schema.ts): every write one
 * function call, every read one statement (one snapshot). A page is one range
 * scan of a B-tree index with row-value bounds; a log page is one primary-key
 * range, joined to the log's row for its bounds and expiry.
 */
export function createPostgresCollections(query: PostgresQuery, now: () => number): CollectionBackend {
  // One prepared statement per shape of range: bounds present or not, open or closed, either order.
  const rangeQuery = (name: string, { low, high, order, limit }: IndexRange) => {
    const where = ["name = $1", LIVE];
    const values: unknown[] = [name, now(), limit + 1];
    const shape: string[] = [order];
    for (const [bound, closed, open] of [
      [low, ">=", ">"],
      [high, "<=", "<"],
    ] as const) {
      if (!bound) continue;
      values.push(bound.key, bound.member);
      where.push(`(key, member) ${bound.inclusive ? closed : open} ($${values.length - 1}, $${values.length})`);
      shape.push(`${bound === low ? "low" : "high"}_${bound.inclusive ? "in" : "ex"}`);
    }
    const direction = order === "asc" ? "ASC" : "DESC";
    const text = `SELECT key, member FROM gatehouse_index_members WHERE ${where.join(" AND ")} ORDER BY key ${direction}, member ${direction} LIMIT $3`;
    return query(`index_range_${shape.join("_")}`, text, values);
  };

  return {
    async indexAdd(name, member, key, ttlMs) {
      const at = now();
      const { rows } = await query("index_add", "SELECT gatehouse_index_add($1, $2, $3, $4, $5) AS added", [
        name,
        member,
        key,
        ttlMs === undefined ? null : at + ttlMs,
        at,
      ]);
      return (rows[0] as { added: boolean }).added;
    },
    async indexRemove(name, member) {
      const { rows } = await query("index_remove", "SELECT gatehouse_index_remove($1, $2, $3) AS removed", [name, member, now()]);
      return (rows[0] as { removed: boolean }).removed;
    },
    async indexKeyOf(name, member) {
      const { rows } = await query("index_key_of", `SELECT key FROM gatehouse_index_members WHERE name = $1 AND ${LIVE} AND member = $3`, [
        name,
        now(),
        member,
      ]);
      return (rows[0] as { key: string } | undefined)?.key;
    },
    async indexRange(name, range) {
      const { rows } = await rangeQuery(name, range);
      const entries = (rows as IndexEntry[]).slice(0, range.limit).map(({ key, member }) => ({ member, key }));
      return { entries, next: rows.length > range.limit ? entries.at(-1)! : null };
    },
    async indexCount(name) {
      const { rows } = await query(
        "index_count",
        `SELECT (SELECT coalesce(sum(size), 0) FROM gatehouse_index_sizes WHERE name = $1)
              - (SELECT count(*) FROM gatehouse_index_members WHERE name = $1 AND expires_at <= $2) AS count`,
        [name, now()],
      );
      return Number((rows[0] as { count: string }).count);
    },
    async indexDrop(name) {
      await query("index_drop", "SELECT gatehouse_index_drop($1)", [name]);
    },

    async logAppend(name, raws, { ifLength, maxLength, idleTtlMs }) {
      const at = now();
      const { rows } = await query("log_append", "SELECT o_appended, o_length, o_last FROM gatehouse_log_append($1, $2, $3, $4, $5, $6)", [
        name,
        raws,
        ifLength ?? null,
        maxLength ?? null,
        idleTtlMs === undefined ? null : at + idleTtlMs,
        at,
      ]);
      const row = rows[0] as { o_appended: boolean; o_length: string; o_last: string | null };
      return { appended: row.o_appended, length: Number(row.o_length), last: row.o_last ?? undefined };
    },
    async logGet(name, position) {
      const { rows } = await query(
        "log_get",
        `SELECT e.value FROM gatehouse_log_entries e JOIN gatehouse_logs l ON l.name = e.name
          WHERE e.name = $1 AND (l.expires_at IS NULL OR l.expires_at > $2) AND e.position = $3`,
        [name, now(), position],
      );
      return (rows[0] as { value: string } | undefined)?.value;
    },
    async logRange(name, { order, after, limit }) {
      // Positions first…length are all present (they leave only from the oldest end, with `first`), so a page is
      // the next `limit` positions past the cursor, and `first` and `length` say whether more remain.
      const desc = order === "desc";
      const { rows } = await query(
        `log_range_${order}`,
        `SELECT l.length, l.first, e.position, e.value FROM gatehouse_logs l
           LEFT JOIN LATERAL (SELECT position, value FROM gatehouse_log_entries
             WHERE name = l.name AND position ${desc ? "<" : ">"} $3 ORDER BY position ${desc ? "DESC" : "ASC"} LIMIT $4) e ON true
          WHERE l.name = $1 AND (l.expires_at IS NULL OR l.expires_at > $2)`,
        [name, now(), after ?? (desc ? END : 0), limit],
      );
      const found = rows as Array<{ length: string; first: string; position: string | null; value: string | null }>;
      const entries = found.flatMap((row) => (row.position === null ? [] : [{ position: Number(row.position), raw: row.value! }]));
      const last = entries.at(-1);
      if (!last) return { entries, next: null };
      const more = desc ? last.position > Number(found[0]!.first) : last.position < Number(found[0]!.length);
      return { entries, next: more ? last.position : null };
    },
    async logLength(name) {
      const { rows } = await query("log_length", `SELECT length FROM gatehouse_logs WHERE name = $1 AND ${LIVE}`, [name, now()]);
      return Number((rows[0] as { length: string } | undefined)?.length ?? 0);
    },
    async logTrim(name, position, limit) {
      const { rows } = await query("log_trim", "SELECT gatehouse_log_trim($1, $2, $3, $4) AS first", [name, position, limit, now()]);
      return Number((rows[0] as { first: string }).first);
    },
    async logDrop(name) {
      await query("log_drop", "SELECT gatehouse_log_drop($1)", [name]);
    },
  };
}
