import { decodeValue, encodeValue, type CollectionBackend, type LogAppendOptions } from "../backend.js";
import { indexCursor, logCursor, readIndexCursor, readLogCursor } from "./cursor.js";
import { indexBounds } from "./order.js";
import {
  InvalidCollectionInputError,
  type AppendLog,
  type AppendOptions,
  type Order,
  type OrderedIndex,
} from "./types.js";

/** Runs a backend call, turning its failures into the store's one error type. */
export type Reach = <T>(operation: () => Promise<T>) => Promise<T>;

export const MAX_PAGE_LIMIT = 1000;
/** Entries one `trim` removes at most. */
export const MAX_TRIM = 1000;
const MAX_TEXT_LENGTH = 1024;
// In a /u pattern a surrogate pair is one code point, so only a lone surrogate matches.
const LONE_SURROGATE = /\p{Cs}/u;

// Input is checked before the backend is reached, so a wrong cursor or key is
// the caller's error, never reported as an outage. Keys and members travel as
// text in SQL and as bytes in Redis: well-formed Unicode only, and no NUL
// (Redis joins key and member with one).
function checkText(what: string, text: unknown, allowEmpty = false): string {
  if (typeof text !== "string" || (!allowEmpty && text.length === 0) || text.length > MAX_TEXT_LENGTH || text.includes("\0") || LONE_SURROGATE.test(text)) {
    throw new InvalidCollectionInputError(`invalid ${what}: well-formed text of at most ${MAX_TEXT_LENGTH} characters, without NUL`);
  }
  return text;
}

/**
 * The backend's name for a collection: the store's prefix and the caller's
 * name. No braces, so the name can be a Redis Cluster hash tag as it is.
 */
export function collectionName(prefix: string, name: string): string {
  checkText("collection name", name);
  const full = prefix + name;
  if (/[{}]/.test(full)) throw new InvalidCollectionInputError("invalid collection name: no braces in it or in the store's prefix");
  return full;
}

function checkCount(what: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new InvalidCollectionInputError(`invalid ${what}: a whole number from 1 to ${max}`);
  }
  return value;
}

const optionalCount = (what: string, value: number | undefined): number | undefined =>
  value === undefined ? undefined : checkCount(what, value);

function checkOrder(order: unknown): Order {
  if (order !== "asc" && order !== "desc") throw new InvalidCollectionInputError('invalid order: "asc" or "desc"');
  return order;
}

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
