import { createCluster } from "@redis/client";
import type { AtomicBackend } from "../backend.js";
import { reconnectStrategy, redisBackendOver, timeoutAfter, type RedisCommander } from "./redis.js";

export interface RedisClusterBackendOptions {
  /** Seed nodes: the client learns the rest of the cluster (every master and its slots) from the first that answers. */
  nodes: Array<{ host: string; port: number }>;
  username?: string;
  password?: string;
  commandTimeoutMs?: number;
}

/**
 * A Redis (or Valkey) Cluster: the same commands and scripts, each routed to
 * the master of its key's slot. Every script's keys share one hash tag (see
 * redis-collection-scripts.ts), so each runs on one node; Keyv's reads of many
 * keys become one MGET per slot. Health means every master answers.
 */
export async function createRedisClusterBackend(options: RedisClusterBackendOptions): Promise<AtomicBackend> {
  const { nodes, username, password, commandTimeoutMs = 2_000 } = options;
  const cluster = createCluster({
    rootNodes: nodes.map(({ host, port }) => ({ socket: { host, port } })),
    defaults: {
      ...(username === undefined ? {} : { username }),
      ...(password === undefined ? {} : { password }),
      disableOfflineQueue: true,
      socket: { connectTimeout: commandTimeoutMs, reconnectStrategy },
    },
  });
  // Errors surface on the commands that fail; the events need listeners so a lost node cannot crash the process.
  cluster.on("error", () => {});
  cluster.on("node-error", () => {});
  await cluster.connect();
  const withTimeout = timeoutAfter(commandTimeoutMs);
  return redisBackendOver(
    {
      commands: cluster as unknown as RedisCommander,
      keyvClient: cluster,
      ping: () => Promise.all(cluster.masters.map(async (master) => (await cluster.nodeClient(master)).ping())),
      async close() {
        if (!cluster.isOpen) return;
        await withTimeout(cluster.close()).catch(() => cluster.destroy());
      },
    },
    withTimeout,
  );
}
