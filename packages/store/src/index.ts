export type { AtomicBackend, LocalMaintenance } from "./backend.js";
export { createMemoryBackend } from "./backends/memory.js";
export { createRedisBackend } from "./backends/redis.js";
export { createSqliteBackend } from "./backends/sqlite.js";
export { systemClock, type Clock } from "./clock.js";
export { StoreUnavailableError } from "./errors.js";
export { openBackend, openStore, STORE_URL_PATTERN, type OpenStoreOptions } from "./open-store.js";
export { ContentionError, createStore, type Store, type UpdateOptions } from "./store.js";
