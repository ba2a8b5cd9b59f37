import {
  createTemporaryDatabase,
  POSTGRES_ADMIN_URL,
  postgresAnswers,
  redisClusterToolsInstalled,
  redisServerInstalled,
  startRedisCluster,
  startRedisServer,
  startTcpProxy,
} from "@gatehouse/store/testing";

const POSTGRES_URL = process.env.POSTGRES_URL ?? POSTGRES_ADMIN_URL;

/** A store several server processes share, which a test can take away and bring back. */
export interface SharedStore {
  /** AUTH_STORE_URL for the servers. */
  url: string;
  /** The store stops answering: connections cut (Redis, Postgres), or a cluster master killed and the cluster down. */
  takeAway(): Promise<void>;
  bringBack(): Promise<void>;
  close(): Promise<void>;
}

/** A proxy in front of the store's server: cutting it takes the server away from the servers under test only. */
async function behindProxy(target: URL, defaultPort: number, url: (port: number) => string, close: () => Promise<void> = async () => {}): Promise<SharedStore> {
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || defaultPort) });
  return {
    url: url(proxy.port),
    takeAway: async () => proxy.cut(),
    bringBack: async () => proxy.restore(),
    close: async () => {
      await proxy.close();
      await close();
    },
  };
}

export const sharedStores = {
  // A redis-server of the test's own: the instances start from an empty database without flushing a shared one.
  redis: {
    available: async () => redisServerInstalled(),
    missing: "redis-server is not on PATH",
    async open() {
      const redis = await startRedisServer();
      return behindProxy(new URL(redis.url), 6379, (port) => `redis://127.0.0.1:${port}`, redis.stop);
    },
  },
  postgres: {
    available: () => postgresAnswers(POSTGRES_URL),
    missing: `no Postgres answers at ${POSTGRES_URL}`,
    async open() {
      const db = await createTemporaryDatabase(POSTGRES_URL);
      const through = new URL(db.url);
      return behindProxy(
        new URL(db.url),
        5432,
        (port) => {
          through.port = String(port);
          return through.toString();
        },
        db.drop,
      );
    },
  },
  "redis-cluster": {
    available: async () => redisClusterToolsInstalled(),
    missing: "redis-server or redis-cli is not on PATH",
    async open(): Promise<SharedStore> {
      const cluster = await startRedisCluster();
      return {
        url: cluster.url,
        // Once the other nodes agree the master is gone they refuse every key; before that, only its keys fail.
        takeAway: async () => {
          await cluster.kill(0);
          await cluster.failed();
        },
        bringBack: async () => {
          await cluster.restart(0);
          await cluster.healthy();
        },
        close: cluster.stop,
      };
    },
  },
} as const;

export type SharedStoreKind = keyof typeof sharedStores;

/** Whether `kind` can run here: outside CI a missing service skips with a message, under CI=true it fails. */
export async function sharedStoreAvailable(kind: SharedStoreKind): Promise<boolean> {
  if (await sharedStores[kind].available()) return true;
  if (process.env.CI === "true") throw new Error(`CI=true but ${sharedStores[kind].missing}`);
  console.warn(`Skipping the two-instance tests on ${kind}: ${sharedStores[kind].missing}.`);
  return false;
}
