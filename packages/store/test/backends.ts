import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import {
  createMemoryBackend,
  createRedisBackend,
  createSqliteBackend,
  createStore,
  type AtomicBackend,
  type LocalMaintenance,
  type Store,
} from "../src/index.js";
import { createFakeClock } from "./fake-clock.js";
import { REDIS_URL } from "./redis-available.js";

export interface BackendUnderTest {
  store: Store;
  backend: AtomicBackend;
  local?: LocalMaintenance;
  /** Moves time forward: a fake clock where the backend keeps time, a real wait on Redis. */
  advance(ms: number): Promise<void>;
  /** A second, independent connection to the same data (another "process" on Redis). */
  openPeer(): Promise<Store>;
}

export const tempSqlitePath = (): string =>
  join(mkdtempSync(join(tmpdir(), "gatehouse-store-")), "store.db");

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
} as const;
