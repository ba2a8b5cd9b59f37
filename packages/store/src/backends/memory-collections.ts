import { createRequire } from "node:module";
import type SortedBtree from "sorted-btree";
import type { CollectionBackend, IndexRange, IndexRangeResult } from "../backend.js";
import type { Clock } from "../clock.js";
import { logWindow } from "../collections/log-window.js";
import { compareCodePoints } from "../collections/order.js";
import type { IndexEntry } from "../collections/types.js";

// sorted-btree is CommonJS with an `exports.default`; require() reads it the same under Node and under vitest.
const { default: BTree } = createRequire(import.meta.url)("sorted-btree") as typeof SortedBtree;
type Tree<K> = InstanceType<typeof BTree<K, undefined>>;

interface MemoryIndex {
  /** `key NUL member`: sorting these by code point sorts by key, then member. */
  sorted: Tree<string>;
  members: Map<string, { key: string; expiresAt: number | undefined }>;
  /** [expiresAt, member] of the members that expire, soonest first. */
  expiring: Tree<[number, string]>;
}

interface MemoryLog {
  length: number;
  first: number;
  entries: Map<number, string>;
  expiresAt: number | undefined;
}

const joined = (entry: IndexEntry): string => `${entry.key}\0${entry.member}`;
const split = (composite: string): IndexEntry => {
  const at = composite.indexOf("\0");
  return { key: composite.slice(0, at), member: composite.slice(at + 1) };
};
const byExpiry = (a: [number, string], b: [number, string]): number => a[0] - b[0] || compareCodePoints(a[1], b[1]);

/**
 * Indexes as B+ trees (sorted-btree) beside a Map of members, logs as Maps of
 * positions. Every call is one synchronous step, so atomic within the process;
 * expired members leave before any call on their index looks at it.
 */
export function createMemoryCollections(clock: Clock): CollectionBackend & { sweep(): number; countEntries(): number } {
  const indexes = new Map<string, MemoryIndex>();
  const logs = new Map<string, MemoryLog>();

  const removeMember = (index: MemoryIndex, member: string): boolean => {
    const held = index.members.get(member);
    if (!held) return false;
    index.members.delete(member);
    index.sorted.delete(joined({ key: held.key, member }));
    if (held.expiresAt !== undefined) index.expiring.delete([held.expiresAt, member]);
    return true;
  };

  // Drops the index's expired members (O(expired)); an emptied index is forgotten.
  const purge = (name: string, index: MemoryIndex): number => {
    const now = clock();
    let removed = 0;
    for (let soonest = index.expiring.minKey(); soonest && soonest[0] <= now; soonest = index.expiring.minKey()) {
      removeMember(index, soonest[1]);
      removed += 1;
    }
    if (index.members.size === 0) indexes.delete(name);
    return removed;
  };

  const liveIndex = (name: string): MemoryIndex | undefined => {
    const index = indexes.get(name);
    if (index) purge(name, index);
    return indexes.get(name);
  };

  const range = (index: MemoryIndex, { low, high, order, limit }: IndexRange): IndexRangeResult => {
    const found: string[] = [];
    const want = limit + 1;
    if (order === "asc") {
      const lowKey = low ? joined(low) : undefined;
      const highKey = high ? joined(high) : undefined;
      for (const [composite] of index.sorted.entries(lowKey)) {
        if (low && !low.inclusive && composite === lowKey) continue;
        if (highKey !== undefined) {
          const c = compareCodePoints(composite, highKey);
          if (c > 0 || (c === 0 && !high!.inclusive)) break;
        }
        if (found.push(composite) === want) break;
      }
    } else {
      const highKey = high ? joined(high) : undefined;
      const lowKey = low ? joined(low) : undefined;
      for (const [composite] of index.sorted.entriesReversed(highKey, undefined, high ? !high.inclusive : false)) {
        if (lowKey !== undefined) {
          const c = compareCodePoints(composite, lowKey);
          if (c < 0 || (c === 0 && !low!.inclusive)) break;
        }
        if (found.push(composite) === want) break;
      }
    }
    const entries = found.slice(0, limit).map(split);
    return { entries, next: found.length > limit ? entries.at(-1)! : null };
  };

  const liveLog = (name: string): MemoryLog | undefined => {
    const log = logs.get(name);
    if (log?.expiresAt !== undefined && log.expiresAt <= clock()) {
      logs.delete(name);
      return undefined;
    }
    return log;
  };

  const removeBefore = (log: MemoryLog, position: number): void => {
    for (; log.first < position; log.first += 1) log.entries.delete(log.first);
  };

  return {
    async indexAdd(name, member, key, ttlMs) {
      let index = liveIndex(name);
      if (!index) {
        index = {
          sorted: new BTree<string, undefined>(undefined, compareCodePoints),
          members: new Map(),
          expiring: new BTree<[number, string], undefined>(undefined, byExpiry),
        };
        indexes.set(name, index);
      }
      const added = !removeMember(index, member);
      const expiresAt = ttlMs === undefined ? undefined : clock() + ttlMs;
      index.members.set(member, { key, expiresAt });
      index.sorted.set(joined({ key, member }), undefined);
      if (expiresAt !== undefined) index.expiring.set([expiresAt, member], undefined);
      return added;
    },
    async indexRemove(name, member) {
      const index = liveIndex(name);
      if (!index || !removeMember(index, member)) return false;
      if (index.members.size === 0) indexes.delete(name);
      return true;
    },
    async indexKeyOf(name, member) {
      return liveIndex(name)?.members.get(member)?.key;
    },
    async indexRange(name, request) {
      const index = liveIndex(name);
      return index ? range(index, request) : { entries: [], next: null };
    },
    async indexCount(name) {
      return liveIndex(name)?.members.size ?? 0;
    },
    async indexDrop(name) {
      indexes.delete(name);
    },

    async logAppend(name, raws, { ifLength, maxLength, idleTtlMs }) {
      let log = liveLog(name);
      const length = log?.length ?? 0;
      if (ifLength !== undefined && ifLength !== length) {
        return { appended: false, length, last: log?.entries.get(length) };
      }
      if (!log) {
        log = { length: 0, first: 1, entries: new Map(), expiresAt: undefined };
        logs.set(name, log);
      }
      for (const raw of raws) log.entries.set(++log.length, raw);
      if (maxLength !== undefined) removeBefore(log, log.length - maxLength + 1);
      log.expiresAt = idleTtlMs === undefined ? undefined : clock() + idleTtlMs;
      return { appended: true, length: log.length, last: undefined };
    },
    async logGet(name, position) {
      return liveLog(name)?.entries.get(position);
    },
    async logRange(name, request) {
      const log = liveLog(name);
      if (!log) return { entries: [], next: null };
      const { positions, next } = logWindow(log.first, log.length, request);
      return { entries: positions.map((position) => ({ position, raw: log.entries.get(position)! })), next };
    },
    async logLength(name) {
      return liveLog(name)?.length ?? 0;
    },
    async logTrim(name, position, limit) {
      const log = liveLog(name);
      if (!log) return 1;
      removeBefore(log, Math.min(position, log.length + 1, log.first + limit));
      return log.first;
    },
    async logDrop(name) {
      logs.delete(name);
    },

    sweep() {
      let removed = 0;
      for (const [name, index] of indexes) if (index.expiring.size > 0) removed += purge(name, index);
      const now = clock();
      for (const [name, log] of logs) {
        if (log.expiresAt !== undefined && log.expiresAt <= now) {
          removed += log.entries.size;
          logs.delete(name);
        }
      }
      return removed;
    },
    countEntries() {
      let count = 0;
      for (const index of indexes.values()) count += index.members.size;
      for (const log of logs.values()) count += log.entries.size;
      return count;
    },
  };
}
