import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import {
  createMemoryBackend,
  createPostgresBackend,
  createRedisBackend,
  createRedisClusterBackend,
  createSqliteBackend,
  createStore,
  parseStoreUrl,
  type AtomicBackend,
  type LocalMaintenance,
  type Store,
} from "../src/index.js";
import { createFakeClock } from "../src/testing/index.js";
import { REDIS_URL, redisAvailable } from "./redis-available.js";
import { postgresAvailable, redisClusterAvailable, sharedCluster, sharedDatabase } from "./services.js";

export interface BackendUnderTest {
  store: Store;
  backend: AtomicBackend;
  local?: LocalMaintenance;
  /** Moves time forward: a fake clock where the backend keeps time, a real wait on Redis and Postgres. */
  advance(ms: number): Promise<void>;
  /** A second, independent connection to the same data (another "process" on Redis and Postgres). */
  openPeer(): Promise<Store>;
}

export const tempSqlitePath = (): string => join(mkdtempSync(join(tmpdir(), "gatehouse-store-")), "store.db");

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const backendKinds = {
  memory: async (): Promise<BackendUnderTest> => {
    const clock = createFakeClock();
    const backend = createMemoryBackend({ clock: clock.now });
    const store = createStore(backend);
    return {
      store,
      backend,
      local: backend,
      advance: async (ms) => clock.advance(ms),
      openPeer: async () => store,
    };
  },
  sqlite: async (): Promise<BackendUnderTest> => {
    const clock = createFakeClock();
    const path = tempSqlitePath();
    const backend = createSqliteBackend({ path, clock: clock.now });
    const store = createStore(backend);
    return {
      store,
      backend,
      local: backend,
      advance: async (ms) => clock.advance(ms),
      // The file is locked to its one backend: a peer in this process shares it.
      openPeer: async () => store,
    };
  },
  redis: async (): Promise<BackendUnderTest> => {
    const prefix = `test:${randomUUID()}:`;
    const backend = await createRedisBackend({ url: REDIS_URL });
    return {
      store: createStore(backend, prefix),
      backend,
      advance: (ms) => sleep(ms),
      openPeer: async () => createStore(await createRedisBackend({ url: REDIS_URL }), prefix),
    };
  },
  postgres: async (): Promise<BackendUnderTest> => {
    const { url } = await sharedDatabase();
    const prefix = `test:${randomUUID()}:`;
    const backend = await createPostgresBackend({ url });
    return {
      store: createStore(backend, prefix),
      backend,
      advance: (ms) => sleep(ms),
      openPeer: async () => createStore(await createPostgresBackend({ url }), prefix),
    };
  },
  "redis-cluster": async (): Promise<BackendUnderTest> => {
    const nodes = clusterNodes((await sharedCluster()).url);
    const prefix = `test:${randomUUID()}:`;
    const backend = await createRedisClusterBackend(nodes);
    return {
      store: createStore(backend, prefix),
      backend,
      advance: (ms) => sleep(ms),
      openPeer: async () => createStore(await createRedisClusterBackend(nodes), prefix),
    };
  },
} as const;

export type BackendKind = keyof typeof backendKinds;

/** The cluster backend's options from a `redis-cluster://` URL. */
export function clusterNodes(url: string): Parameters<typeof createRedisClusterBackend>[0] {
  const parsed = parseStoreUrl(url);
  if (!parsed.ok || parsed.location.kind !== "redis-cluster") throw new Error(`not a redis-cluster URL: ${url}`);
  return parsed.location;
}

/** Which backends this machine can test (each missing service says so; under CI=true it fails instead). */
export async function availableKinds(): Promise<Record<BackendKind, boolean>> {
  return { memory: true, sqlite: true, redis: await redisAvailable(), postgres: await postgresAvailable(), "redis-cluster": redisClusterAvailable() };
}
