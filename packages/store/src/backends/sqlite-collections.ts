import type Database from "libsql";
import type { CollectionBackend, IndexRange } from "../backend.js";
import type { Clock } from "../clock.js";
import { logWindow } from "../collections/log-window.js";
import type { IndexEntry } from "../collections/types.js";
import type { GroupCommit } from "./group-commit.js";

/**
 * Indexes and logs as tables with SQL indexes: a page is one index range scan,
 * a count is a maintained size (minus members expired but not yet swept, found
 * through their own index), a log position is a primary key. Writes join the
 * backend's group commit, so they are as atomic and as durable as its other writes.
 */
export const COLLECTIONS_SCHEMA = `
CREATE TABLE IF NOT EXISTS index_members (
  name TEXT NOT NULL,
  member TEXT NOT NULL,
  key TEXT NOT NULL,
  expires_at INTEGER,
  PRIMARY KEY (name, member)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS index_members_order ON index_members (name, key, member);
CREATE INDEX IF NOT EXISTS index_members_expiring ON index_members (name, expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS index_members_expiry ON index_members (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS index_sizes (name TEXT PRIMARY KEY, size INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS logs (
  name TEXT PRIMARY KEY,
  length INTEGER NOT NULL,
  first INTEGER NOT NULL,
  expires_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS logs_expiry ON logs (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS log_entries (
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (name, position)
) WITHOUT ROWID;
`;

const LIVE = "(expires_at IS NULL OR expires_at > @now)";
const EXPIRED = "expires_at IS NOT NULL AND expires_at <= @now";

interface LogMeta {
  length: number;
  first: number;
  expires_at: number | null;
}

export function createSqliteCollections(
  db: Database.Database,
  clock: Clock,
  inGroup: GroupCommit,
): CollectionBackend & { sweep(): number; countEntries(): number } {
  const sql = {
    member: db.prepare(`SELECT key, expires_at FROM index_members WHERE name = @name AND member = @member`),
    liveKey: db.prepare(`SELECT key FROM index_members WHERE name = @name AND member = @member AND ${LIVE}`).raw(true),
    putMember: db.prepare(
      `INSERT INTO index_members (name, member, key, expires_at) VALUES (@name, @member, @key, @expiresAt)
       ON CONFLICT (name, member) DO UPDATE SET key = excluded.key, expires_at = excluded.expires_at`,
    ),
    removeMember: db.prepare(`DELETE FROM index_members WHERE name = @name AND member = @member RETURNING expires_at`).raw(true),
    resize: db.prepare(`INSERT INTO index_sizes (name, size) VALUES (@name, @by) ON CONFLICT (name) DO UPDATE SET size = size + excluded.size`),
    dropEmptySize: db.prepare(`DELETE FROM index_sizes WHERE name = @name AND size <= 0`),
    count: db
      .prepare(
        `SELECT coalesce((SELECT size FROM index_sizes WHERE name = @name), 0)
        - (SELECT count(*) FROM index_members WHERE name = @name AND ${EXPIRED})`,
      )
      .raw(true),
    dropMembers: db.prepare(`DELETE FROM index_members WHERE name = @name`),
    dropSize: db.prepare(`DELETE FROM index_sizes WHERE name = @name`),
    expiredPerIndex: db.prepare(`SELECT name, count(*) AS expired FROM index_members WHERE ${EXPIRED} GROUP BY name`),
    sweepMembers: db.prepare(`DELETE FROM index_members WHERE ${EXPIRED}`),

    meta: db.prepare(`SELECT length, first, expires_at FROM logs WHERE name = @name`),
    putMeta: db.prepare(
      `INSERT INTO logs (name, length, first, expires_at) VALUES (@name, @length, @first, @expiresAt)
       ON CONFLICT (name) DO UPDATE SET length = excluded.length, first = excluded.first, expires_at = excluded.expires_at`,
    ),
    setFirst: db.prepare(`UPDATE logs SET first = @first WHERE name = @name`),
    entry: db.prepare(`SELECT value FROM log_entries WHERE name = @name AND position = @position`).raw(true),
    putEntry: db.prepare(`INSERT INTO log_entries (name, position, value) VALUES (@name, @position, @value)`),
    removeEntries: db.prepare(`DELETE FROM log_entries WHERE name = @name AND position >= @from AND position < @to`),
    ascending: db.prepare(`SELECT position, value FROM log_entries WHERE name = @name AND position BETWEEN @low AND @high ORDER BY position`).raw(true),
    dropEntries: db.prepare(`DELETE FROM log_entries WHERE name = @name`),
    dropMeta: db.prepare(`DELETE FROM logs WHERE name = @name`),
    idleLogs: db.prepare(`SELECT name FROM logs WHERE ${EXPIRED}`).raw(true),
    countMembers: db.prepare(`SELECT count(*) FROM index_members`).raw(true),
    countEntries: db.prepare(`SELECT count(*) FROM log_entries`).raw(true),
  };

  // One statement per shape of range: bounds present or not, open or closed, either order.
  const ranges = new Map<string, Database.Statement>();
  const rangeStatement = ({ low, high, order }: IndexRange): Database.Statement => {
    const where = ["name = @name", LIVE];
    if (low) where.push(`(key, member) ${low.inclusive ? ">=" : ">"} (@lowKey, @lowMember)`);
    if (high) where.push(`(key, member) ${high.inclusive ? "<=" : "<"} (@highKey, @highMember)`);
    const direction = order === "asc" ? "ASC" : "DESC";
    const text = `SELECT key, member FROM index_members WHERE ${where.join(" AND ")} ORDER BY key ${direction}, member ${direction} LIMIT @limit`;
    let statement = ranges.get(text);
    if (!statement) ranges.set(text, (statement = db.prepare(text)));
    return statement;
  };

  const one = (row: unknown): unknown => (Array.isArray(row) ? row[0] : undefined);
  const isLive = (expiresAt: number | null, now: number) => expiresAt === null || expiresAt > now;

  const liveMeta = (name: string): LogMeta | undefined => {
    const meta = sql.meta.get({ name }) as LogMeta | undefined;
    return meta && isLive(meta.expires_at, clock()) ? meta : undefined;
  };
  // A log idle past its TTL but not yet swept is gone: a writer clears what is left before starting it anew.
  const liveMetaForWrite = (name: string): LogMeta | undefined => {
    const meta = sql.meta.get({ name }) as LogMeta | undefined;
    if (meta && !isLive(meta.expires_at, clock())) {
      sql.dropEntries.run({ name });
      sql.dropMeta.run({ name });
      return undefined;
    }
    return meta;
  };
  const entryAt = (name: string, position: number) => one(sql.entry.get({ name, position })) as string | undefined;

  return {
    indexAdd: (name, member, key, ttlMs) =>
      inGroup(() => {
        const now = clock();
        const held = sql.member.get({ name, member }) as { key: string; expires_at: number | null } | undefined;
        sql.putMember.run({ name, member, key, expiresAt: ttlMs === undefined ? null : now + ttlMs });
        if (!held) sql.resize.run({ name, by: 1 });
        return !held || !isLive(held.expires_at, now);
      }),
    indexRemove: (name, member) =>
      inGroup(() => {
        const removed = sql.removeMember.get({ name, member }) as [number | null] | undefined;
        if (!removed) return false;
        sql.resize.run({ name, by: -1 });
        sql.dropEmptySize.run({ name });
        return isLive(removed[0], clock());
      }),
    async indexKeyOf(name, member) {
      return one(sql.liveKey.get({ name, member, now: clock() })) as string | undefined;
    },
    async indexRange(name, range) {
      const { low, high, limit } = range;
      const rows = rangeStatement(range).all({
        name,
        now: clock(),
        lowKey: low?.key,
        lowMember: low?.member,
        highKey: high?.key,
        highMember: high?.member,
        limit: limit + 1,
      }) as IndexEntry[];
      const entries = rows.slice(0, limit).map(({ key, member }) => ({ member, key }));
      return { entries, next: rows.length > limit ? entries.at(-1)! : null };
    },
    async indexCount(name) {
      return Number(one(sql.count.get({ name, now: clock() })));
    },
    indexDrop: (name) =>
      inGroup(() => {
        sql.dropMembers.run({ name });
        sql.dropSize.run({ name });
      }),

    logAppend: (name, raws, { ifLength, maxLength, idleTtlMs }) =>
      inGroup(() => {
        const meta = liveMetaForWrite(name);
        const length = meta?.length ?? 0;
        let first = meta?.first ?? 1;
        if (ifLength !== undefined && ifLength !== length) {
          return { appended: false, length, last: length >= first ? entryAt(name, length) : undefined };
        }
        raws.forEach((value, i) => sql.putEntry.run({ name, position: length + 1 + i, value }));
        const newLength = length + raws.length;
        if (maxLength !== undefined && newLength - maxLength + 1 > first) {
          sql.removeEntries.run({ name, from: first, to: newLength - maxLength + 1 });
          first = newLength - maxLength + 1;
        }
        sql.putMeta.run({ name, length: newLength, first, expiresAt: idleTtlMs === undefined ? null : clock() + idleTtlMs });
        return { appended: true, length: newLength, last: undefined };
      }),
    async logGet(name, position) {
      const meta = liveMeta(name);
      return meta && position >= meta.first && position <= meta.length ? entryAt(name, position) : undefined;
    },
    async logRange(name, range) {
      const meta = liveMeta(name);
      if (!meta) return { entries: [], next: null };
      const { positions, next } = logWindow(meta.first, meta.length, range);
      if (positions.length === 0) return { entries: [], next };
      const low = Math.min(positions[0]!, positions.at(-1)!);
      const high = Math.max(positions[0]!, positions.at(-1)!);
      const rows = (sql.ascending.all({ name, low, high }) as Array<[number, string]>).map(([position, raw]) => ({ position, raw }));
      return { entries: range.order === "asc" ? rows : rows.reverse(), next };
    },
    async logLength(name) {
      return liveMeta(name)?.length ?? 0;
    },
    logTrim: (name, position, limit) =>
      inGroup(() => {
        const meta = liveMetaForWrite(name);
        if (!meta) return 1;
        const to = Math.min(position, meta.length + 1, meta.first + limit);
        if (to <= meta.first) return meta.first;
        sql.removeEntries.run({ name, from: meta.first, to });
        sql.setFirst.run({ name, first: to });
        return to;
      }),
    logDrop: (name) =>
      inGroup(() => {
        sql.dropEntries.run({ name });
        sql.dropMeta.run({ name });
      }),

    /** Removes expired members and idle logs; runs inside the caller's transaction. */
    sweep() {
      const now = clock();
      let removed = 0;
      for (const { name, expired } of sql.expiredPerIndex.all({ now }) as Array<{ name: string; expired: number }>) {
        sql.resize.run({ name, by: -expired });
        sql.dropEmptySize.run({ name });
      }
      removed += sql.sweepMembers.run({ now }).changes;
      for (const [name] of sql.idleLogs.all({ now }) as Array<[string]>) {
        removed += sql.dropEntries.run({ name }).changes;
        sql.dropMeta.run({ name });
      }
      return removed;
    },
    countEntries: () => Number(one(sql.countMembers.get())) + Number(one(sql.countEntries.get())),
  };
}
