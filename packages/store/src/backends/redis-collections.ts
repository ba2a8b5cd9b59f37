import type { CollectionBackend, IndexBound } from "../backend.js";
import type { IndexEntry } from "../collections/types.js";
import { INDEX_ADD, INDEX_COUNT, INDEX_KEY_OF, INDEX_RANGE, INDEX_REMOVE, LOG_APPEND, LOG_LENGTH, LOG_RANGE, LOG_TRIM } from "./redis-collection-scripts.js";
import type { RunScript } from "./redis-script.js";

/** The plain commands the collections use besides their scripts, bounded by the backend's timeout. */
export interface RedisCommands {
  hGet(key: string, field: string): Promise<string | null | undefined>;
  unlink(keys: string[]): Promise<unknown>;
}

const bound = (edge: IndexBound | undefined, open: "-" | "+"): string => (edge ? `${edge.inclusive ? "[" : "("}${edge.key}\0${edge.member}` : open);
const split = (entry: string): IndexEntry => {
  const at = entry.indexOf("\0");
  return { member: entry.slice(at + 1), key: entry.slice(0, at) };
};

/** Indexes and logs on Redis: each call one script (see redis-collection-scripts.ts) or one command. */
export function createRedisCollections(run: RunScript, commands: RedisCommands): CollectionBackend {
  const indexKeys = (name: string) => [`{${name}}:sorted`, `{${name}}:keys`, `{${name}}:expiring`];
  const logKey = (name: string) => `{${name}}:log`;
  const ttl = (ms: number | undefined) => (ms === undefined ? "" : String(ms));

  return {
    indexAdd: async (name, member, key, ttlMs) => Number(await run(INDEX_ADD, indexKeys(name), [member, key, ttl(ttlMs)])) === 1,
    indexRemove: async (name, member) => Number(await run(INDEX_REMOVE, indexKeys(name), [member])) === 1,
    async indexKeyOf(name, member) {
      const reply = await run(INDEX_KEY_OF, indexKeys(name).slice(1), [member]);
      return typeof reply === "string" ? reply : undefined;
    },
    async indexRange(name, { low, high, order, limit }) {
      const [sorted, , expiring] = indexKeys(name);
      const [start, stop] = order === "asc" ? [bound(low, "-"), bound(high, "+")] : [bound(high, "+"), bound(low, "-")];
      const [resume, ...found] = (await run(INDEX_RANGE, [sorted!, expiring!], [order, start, stop, String(limit + 1)])) as string[];
      const entries = found.slice(0, limit).map(split);
      if (found.length > limit) return { entries, next: entries.at(-1)! };
      return { entries, next: resume ? split(resume) : null };
    },
    indexCount: async (name) => Number(await run(INDEX_COUNT, indexKeys(name).slice(1), [])),
    async indexDrop(name) {
      await commands.unlink(indexKeys(name));
    },

    async logAppend(name, raws, { ifLength, maxLength, idleTtlMs }) {
      const reply = (await run(LOG_APPEND, [logKey(name)], [ifLength === undefined ? "" : String(ifLength), ttl(maxLength), ttl(idleTtlMs), ...raws])) as [
        number,
        number,
        string | null | undefined,
      ];
      return { appended: reply[0] === 1, length: Number(reply[1]), last: reply[2] ?? undefined };
    },
    async logGet(name, position) {
      // Positions before `first` are deleted in the step that moves it, so the field alone says whether the entry is there.
      return (await commands.hGet(logKey(name), String(position))) ?? undefined;
    },
    async logRange(name, { order, after, limit }) {
      const [next, low, ...values] = (await run(LOG_RANGE, [logKey(name)], [order, after === undefined ? "" : String(after), String(limit)])) as [
        number,
        number,
        ...Array<string | null>,
      ];
      const entries = values.flatMap((raw, i) => (raw === null ? [] : [{ position: Number(low) + i, raw }]));
      return { entries: order === "asc" ? entries : entries.reverse(), next: Number(next) === 0 ? null : Number(next) };
    },
    logLength: async (name) => Number(await run(LOG_LENGTH, [logKey(name)], [])),
    logTrim: async (name, position, limit) => Number(await run(LOG_TRIM, [logKey(name)], [String(position), String(limit)])),
    async logDrop(name) {
      await commands.unlink([logKey(name)]);
    },
  };
}
