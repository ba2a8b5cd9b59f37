import Keyv, { type Deserialize, type DeserializedData } from "keyv";
import { decodeValue, encodeValue, type AtomicBackend } from "./backend.js";
import { createIndexHandle, createLogHandle } from "./collections/handles.js";
import { collectionName } from "./collections/input.js";
import type { AppendLog, OrderedIndex } from "./collections/types.js";
import { StoreUnavailableError } from "./errors.js";
import { createReadBatcher } from "./read-batch.js";

export interface UpdateOptions {
  /** Sets the expiry on every write; when omitted a new entry never expires and an existing one keeps its expiry. */
  ttlMs?: number;
  /** Optimistic retries before giving up under contention. */
  maxAttempts?: number;
}

/**
 * The one store every feature uses: Keyv for plain reads and writes, plus the
 * atomic operations Keyv lacks. Keys are namespaced by `prefix`.
 */
export interface Store {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** True when this call created the entry; exactly one of many concurrent callers wins. */
  setIfAbsent<T>(key: string, value: T, ttlMs?: number): Promise<boolean>;
  /** Get-and-delete: exactly one of many concurrent callers receives the value. */
  take<T>(key: string): Promise<T | undefined>;
  /** Atomic counter; the TTL starts when the counter is created and is not extended. */
  increment(key: string, ttlMs: number, by?: number): Promise<number>;
  /**
   * Adds one to the counter at `key` (as `increment`) and reads the counter at
   * `readKey` in the same atomic step: one round trip on Redis. On Redis the two
   * keys must share a hash tag (`{…}`) to be usable on a cluster.
   */
  incrementAndRead(key: string, ttlMs: number, readKey: string): Promise<{ count: number; read: number | undefined }>;
  /**
   * Read-modify-write without lost updates: `change` receives the current value
   * and returns the next one (`undefined` deletes); it may run more than once
   * under contention, so it must be pure. Returns what was written.
   */
  update<T>(key: string, change: (current: T | undefined) => T | undefined, options?: UpdateOptions): Promise<T | undefined>;
  /**
   * The ordered index called `name`: members sorted by a string key, paged by
   * cursor, counted, searched by key prefix (see collections/types.ts). Names
   * share the store's prefix but not the keys' namespace.
   */
  index(name: string): OrderedIndex;
  /** The append-only log called `name`: entries at gap-free positions 1, 2, 3…. */
  log<T>(name: string): AppendLog<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class ContentionError extends Error {
  override readonly name = "ContentionError";
}

// Hot entries (sessions, users, counters) read on every call; beyond this, the least recently read parse goes.
const SHARED_PARSES = 10_000;
// Hot records are a few hundred bytes; bigger texts (activity lists, audit pages) are parsed per read, so the
// shared parses hold at most about SHARED_PARSES × this much text.
const SHARED_PARSE_MAX_CHARS = 4096;

/**
 * JSON.parse for Keyv reads that returns the same parse for the same stored
 * text: a session or user record read on every call is parsed once, not on
 * every call. The parse is deeply frozen so every reader can share it: code
 * that tried to change a record in place would throw instead of changing what
 * the next caller reads (bigger texts are not kept, but frozen all the same, so
 * no reader depends on size). Keyed by the text itself, so a changed entry is
 * simply a new key; bounded, least recently read first out.
 */
function createSharedParse(maxEntries: number): Deserialize {
  const parses = new Map<string, DeserializedData<unknown>>();
  return <Value>(raw: string) => {
    if (raw.length > SHARED_PARSE_MAX_CHARS) return deepFreeze(JSON.parse(raw) as DeserializedData<Value>);
    const known = parses.get(raw) as DeserializedData<Value> | undefined;
    if (known !== undefined) {
      parses.delete(raw);
      parses.set(raw, known);
      return known;
    }
    const parsed = deepFreeze(JSON.parse(raw) as DeserializedData<Value>);
    parses.set(raw, parsed);
    if (parses.size > maxEntries) parses.delete(parses.keys().next().value!);
    return parsed;
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export function createStore(backend: AtomicBackend, prefix = "gh:"): Store {
  const keyv = new Keyv({
    store: backend.keyvAdapter,
    namespace: undefined,
    useKeyPrefix: false,
    serialize: JSON.stringify,
    deserialize: createSharedParse(SHARED_PARSES),
    throwOnErrors: true,
    emitErrors: false,
  });
  const guard = backend.guard ?? (<T>(operation: Promise<T>) => operation);
  const k = (key: string): string => prefix + key;

  // Every failure to reach the backend becomes one error type, so callers can
  // fail closed (503) without knowing which backend is behind the store.
  const reach = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof StoreUnavailableError || error instanceof ContentionError) throw error;
      throw new StoreUnavailableError("store operation failed", { cause: error });
    }
  };
  // The backend's own operations bound themselves; Keyv's calls get the same bound here.
  const reachViaKeyv = <T>(operation: () => Promise<T>): Promise<T> => reach(() => guard(operation()));

  const batchedGet = backend.batchReads ? createReadBatcher((keys) => reachViaKeyv(() => keyv.getMany(keys))) : undefined;

  return {
    get: <T>(key: string) => (batchedGet ? (batchedGet(k(key)) as Promise<T | undefined>) : reachViaKeyv(() => keyv.get<T>(k(key)))),
    set: async (key, value, ttlMs) => {
      await reachViaKeyv(() => keyv.set(k(key), value, ttlMs));
    },
    delete: (key) => reachViaKeyv(() => keyv.delete(k(key))),
    setIfAbsent: (key, value, ttlMs) => reach(() => backend.setIfAbsent(k(key), encodeValue(value), ttlMs)),
    take: async (key) => {
      const raw = await reach(() => backend.take(k(key)));
      return raw === undefined ? undefined : decodeValue(raw);
    },
    increment: (key, ttlMs, by = 1) => reach(() => backend.increment(k(key), by, ttlMs)),
    incrementAndRead: async (key, ttlMs, readKey) => {
      const { count, read } = await reach(() => backend.incrementAndRead(k(key), 1, ttlMs, k(readKey)));
      return { count, read: read === undefined ? undefined : decodeValue<number>(read) };
    },
    update: async (key, change, options = {}) => {
      const { ttlMs, maxAttempts = 50 } = options;
      for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
        const raw = await reach(() => backend.getRaw(k(key)));
        const next = change(raw === undefined ? undefined : decodeValue(raw));
        const nextRaw = next === undefined ? undefined : encodeValue(next);
        if (nextRaw === raw) return next;
        if (await reach(() => backend.compareAndSwap(k(key), raw, nextRaw, ttlMs))) return next;
      }
      throw new ContentionError(`update of ${key} lost ${maxAttempts} races in a row`);
    },
    index: (name) => createIndexHandle(backend.collections, collectionName(prefix, name), reach),
    log: (name) => createLogHandle(backend.collections, collectionName(prefix, name), reach),
    ping: () => reach(() => backend.ping()),
    close: () => backend.close(),
  };
}
