export type { AtomicBackend, CollectionBackend, LocalMaintenance } from "./backend.js";
export { createMemoryBackend } from "./backends/memory.js";
export { createPostgresBackend, type PostgresMaintenance } from "./backends/postgres.js";
export { createRedisBackend } from "./backends/redis.js";
export { createRedisClusterBackend } from "./backends/redis-cluster.js";
export { createSqliteBackend } from "./backends/sqlite.js";
export { systemClock, type Clock } from "./clock.js";
export { StoreUnavailableError } from "./errors.js";
export { openBackend, openStore, type OpenStoreOptions } from "./open-store.js";
export { parseStoreUrl, STORE_URL_FORMS, type StoreLocation } from "./store-url.js";
export { ContentionError, createStore, type Store, type UpdateOptions } from "./store.js";
export { MAX_PAGE_LIMIT, MAX_TRIM } from "./collections/input.js";
export { sortableTime } from "./collections/order.js";
export {
  InvalidCollectionInputError,
  type AppendLog,
  type AppendOptions,
  type ConditionalAppend,
  type IndexAddOptions,
  type IndexEntry,
  type IndexPageOptions,
  type LogEntry,
  type LogPageOptions,
  type Order,
  type OrderedIndex,
  type Page,
} from "./collections/types.js";
