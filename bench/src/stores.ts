import { join } from "node:path";
import {
  createTemporaryDatabase,
  postgresAnswers,
  redisClusterToolsInstalled,
  startRedisCluster,
  type LocalRedisCluster,
  type TemporaryDatabase,
} from "@gatehouse/store/testing";
import { flushRedisDatabase } from "./redis.js";
import type { Settings, StoreKind } from "./settings.js";

export interface StoreProvider {
  /** A fresh store of this kind for one target server; undefined (with a message) when its server is not there. */
  url(kind: StoreKind, label: string): Promise<string | undefined>;
  /** Drops the databases and stops the clusters it made. */
  close(): Promise<void>;
}

/**
 * Fresh stores for the target servers: a new SQLite file, the flushed Redis
 * database, a new Postgres database on BENCH_POSTGRES_URL's server, a new local
 * three-node Redis Cluster (from redis-server and redis-cli).
 */
export function createStoreProvider(settings: Settings, tmpDir: string, log: (line: string) => void): StoreProvider {
  let sqliteFiles = 0;
  const databases: TemporaryDatabase[] = [];
  const clusters: LocalRedisCluster[] = [];
  return {
    async url(kind, label) {
      switch (kind) {
        case "memory":
          return "memory://";
        case "sqlite":
          return `sqlite://${join(tmpDir, `${label}-${++sqliteFiles}.db`)}`;
        case "redis":
          if (await flushRedisDatabase(settings.redisUrl)) return settings.redisUrl;
          log(
            `${label}: Redis at ${settings.redisUrl} does not answer (or refused FLUSHDB): skipping the Redis store. Start one with \`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""\`.`,
          );
          return undefined;
        case "postgres": {
          if (!(await postgresAnswers(settings.postgresUrl))) {
            log(`${label}: no Postgres answers at ${settings.postgresUrl}: skipping the Postgres store.`);
            return undefined;
          }
          const database = await createTemporaryDatabase(settings.postgresUrl, "bench");
          databases.push(database);
          return database.url;
        }
        case "redis-cluster": {
          if (!redisClusterToolsInstalled()) {
            log(`${label}: redis-server or redis-cli is not on PATH: skipping the Redis Cluster store.`);
            return undefined;
          }
          const cluster = await startRedisCluster();
          clusters.push(cluster);
          return cluster.url;
        }
      }
    },
    async close() {
      await Promise.all([...databases.splice(0).map((database) => database.drop()), ...clusters.splice(0).map((cluster) => cluster.stop())]);
    },
  };
}
