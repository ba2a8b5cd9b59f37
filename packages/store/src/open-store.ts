import { createMemoryBackend } from "./backends/memory.js";
import { createRedisBackend } from "./backends/redis.js";
import { createSqliteBackend } from "./backends/sqlite.js";
import type { AtomicBackend } from "./backend.js";
import { systemClock, type Clock } from "./clock.js";
import { createStore, type Store } from "./store.js";

export interface OpenStoreOptions {
  clock?: Clock;
  /** Prepended to every key: lets several apps or test runs share one Redis database. */
  prefix?: string;
}

/** The schemes `AUTH_STORE_URL` accepts. */
export const STORE_URL_PATTERN = /^(memory:\/\/|sqlite:\/\/.+|redis:\/\/.+|rediss:\/\/.+)$/;

/** Opens the backend an `AUTH_STORE_URL` names: `memory://`, `sqlite://PATH`, `redis://HOST:PORT[/DB]`. */
export async function openBackend(url: string, clock: Clock = systemClock): Promise<AtomicBackend> {
  if (url === "memory://") return createMemoryBackend({ clock });
  if (url.startsWith("sqlite://")) return createSqliteBackend({ path: url.slice("sqlite://".length), clock });
  if (url.startsWith("redis://") || url.startsWith("rediss://")) return createRedisBackend({ url });
  throw new Error(`unsupported store URL scheme in "${url.split(":")[0]}:"; use memory://, sqlite://PATH or redis://HOST:PORT`);
}

export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  return createStore(await openBackend(url, options.clock), options.prefix);
}
