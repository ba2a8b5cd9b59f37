import { createMemoryBackend } from "./backends/memory.js";
import { createPostgresBackend } from "./backends/postgres.js";
import { createRedisBackend } from "./backends/redis.js";
import { createRedisClusterBackend } from "./backends/redis-cluster.js";
import { createSqliteBackend } from "./backends/sqlite.js";
import type { AtomicBackend } from "./backend.js";
import { systemClock, type Clock } from "./clock.js";
import { createStore, type Store } from "./store.js";
import { parseStoreUrl } from "./store-url.js";

export interface OpenStoreOptions {
  /** The local backends' clock (Redis and Postgres keep time with their own and Date.now()). */
  clock?: Clock;
  /** Prepended to every key: lets several apps or test runs share one Redis database. */
  prefix?: string;
}

/** Opens the backend an `AUTH_STORE_URL` names (see STORE_URL_FORMS). */
export async function openBackend(url: string, clock: Clock = systemClock): Promise<AtomicBackend> {
  const parsed = parseStoreUrl(url);
  if (!parsed.ok) throw new Error(`invalid store URL: ${parsed.error}`);
  const { location } = parsed;
  switch (location.kind) {
    case "memory":
      return createMemoryBackend({ clock });
    case "sqlite":
      return createSqliteBackend({ path: location.path, clock });
    case "redis":
      return createRedisBackend({ url: location.url });
    case "redis-cluster":
      return createRedisClusterBackend(location);
    case "postgres":
      return createPostgresBackend({ url: location.url });
  }
}

export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  return createStore(await openBackend(url, options.clock), options.prefix);
}
