import { decodeValue, encodeValue, type CollectionBackend, type LogAppendOptions } from "../backend.js";
import { indexCursor, logCursor, readIndexCursor, readLogCursor } from "./cursor.js";
import { checkCount, checkOrder, checkText, MAX_PAGE_LIMIT, MAX_TRIM, optionalCount } from "./input.js";
import { indexBounds } from "./order.js";
import { InvalidCollectionInputError, type AppendLog, type AppendOptions, type OrderedIndex } from "./types.js";

/** Runs a backend call, turning its failures into the store's one error type. */
export type Reach = <T>(operation: () => Promise<T>) => Promise<T>;

export function createIndexHandle(backend: CollectionBackend, name: string, reach: Reach): OrderedIndex {
  return {
    async add(member, key, options = {}) {
      checkText("member", member);
      checkText("key", key, true);
      const ttlMs = optionalCount("ttlMs", options.ttlMs);
      return reach(() => backend.indexAdd(name, member, key, ttlMs));
    },
    async remove(member) {
      checkText("member", member);
      return reach(() => backend.indexRemove(name, member));
    },
    async keyOf(member) {
      checkText("member", member);
      return reach(() => backend.indexKeyOf(name, member));
    },
    async page({ order = "desc", cursor, limit, prefix }) {
      const after = cursor === undefined ? undefined : readIndexCursor(cursor);
      if (prefix !== undefined) checkText("prefix", prefix, true);
      const range = indexBounds(checkOrder(order), after, prefix, checkCount("limit", limit, MAX_PAGE_LIMIT));
      const { entries, next } = await reach(() => backend.indexRange(name, range));
      return { items: entries, nextCursor: next ? indexCursor(next) : null };
    },
    count: () => reach(() => backend.indexCount(name)),
    drop: () => reach(() => backend.indexDrop(name)),
  };
}

export function createLogHandle<T>(backend: CollectionBackend, name: string, reach: Reach): AppendLog<T> {
  const appendOptions = (options: AppendOptions, ifLength: number | undefined): LogAppendOptions => ({
    ifLength,
    maxLength: optionalCount("maxLength", options.maxLength),
    idleTtlMs: optionalCount("idleTtlMs", options.idleTtlMs),
  });

  return {
    async append(value, options = {}) {
      const checked = appendOptions(options, undefined);
      const { length } = await reach(() => backend.logAppend(name, [encodeValue(value)], checked));
      return length;
    },
    async appendAfter(length, values, options = {}) {
      if (!Number.isSafeInteger(length) || length < 0) throw new InvalidCollectionInputError("invalid length: a whole number from 0");
      if (values.length === 0 || values.length > MAX_PAGE_LIMIT) throw new InvalidCollectionInputError(`invalid values: 1 to ${MAX_PAGE_LIMIT} entries`);
      const checked = appendOptions(options, length);
      const result = await reach(() => backend.logAppend(name, values.map(encodeValue), checked));
      if (result.appended) return { appended: true };
      const last = result.last === undefined ? undefined : { position: result.length, value: decodeValue<T>(result.last) };
      return { appended: false, length: result.length, last };
    },
    async get(position) {
      checkCount("position", position);
      const raw = await reach(() => backend.logGet(name, position));
      return raw === undefined ? undefined : decodeValue<T>(raw);
    },
    async page({ order = "desc", cursor, limit }) {
      const after = cursor === undefined ? undefined : readLogCursor(cursor);
      const range = { order: checkOrder(order), after, limit: checkCount("limit", limit, MAX_PAGE_LIMIT) };
      const { entries, next } = await reach(() => backend.logRange(name, range));
      return {
        items: entries.map(({ position, raw }) => ({ position, value: decodeValue<T>(raw) })),
        nextCursor: next === null ? null : logCursor(next),
      };
    },
    length: () => reach(() => backend.logLength(name)),
    async trim(position) {
      checkCount("position", position);
      return reach(() => backend.logTrim(name, position, MAX_TRIM));
    },
    drop: () => reach(() => backend.logDrop(name)),
  };
}
