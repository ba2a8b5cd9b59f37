import { createClient } from "@redis/client";
import { afterAll, describe, expect, it } from "vitest";
import { createRedisClusterBackend, createStore, StoreUnavailableError } from "../src/index.js";
import { startRedisCluster } from "../src/testing/index.js";
import { clusterNodes } from "./backends.js";
import { redisClusterAvailable, sharedCluster, stopSharedServices } from "./services.js";

const hasTools = redisClusterAvailable();
afterAll(stopSharedServices);

/** The cluster slot of `key` (hash tags included), as the node computes it. */
async function slotOf(port: number, key: string): Promise<number> {
  const client = createClient({ socket: { host: "127.0.0.1", port } });
  await client.connect();
  try {
    return Number(await client.sendCommand(["CLUSTER", "KEYSLOT", key]));
  } finally {
    client.destroy();
  }
}

describe.skipIf(!hasTools)("store on a redis cluster", () => {
  it("answers reads started together for keys on many slots and nodes, one MGET per slot", async () => {
    const cluster = await sharedCluster();
    const store = createStore(await createRedisClusterBackend(clusterNodes(cluster.url)), `t:${Date.now()}:`);
    try {
      const keys = Array.from({ length: 40 }, (_, i) => `session:${i}`);
      await Promise.all(keys.map((key, i) => store.set(key, { i })));
      const slots = new Set(await Promise.all(keys.map((key) => slotOf(cluster.ports[0]!, `t:${key}`))));
      expect(slots.size).toBeGreaterThan(20);
      // Started in one stretch of code, these reads go out as one batch: a single MGET would be refused (CROSSSLOT).
      expect(await Promise.all([...keys.map((key) => store.get(key)), store.get("absent")])).toEqual([...keys.map((_, i) => ({ i })), undefined]);
    } finally {
      await store.close();
    }
  });

  it("fails closed while a master is down and recovers once it is back", { timeout: 90_000 }, async () => {
    // A cluster of its own: this test kills one of its nodes.
    const cluster = await startRedisCluster();
    const store = createStore(await createRedisClusterBackend({ ...clusterNodes(cluster.url), commandTimeoutMs: 500 }), "t:");
    try {
      const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
      await Promise.all(keys.map((key) => store.set(key, key)));
      await store.index("users").add("u1", "a");
      await cluster.kill(0);
      // Health asks every master: one is gone.
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      // Once the other nodes agree it is gone, the cluster refuses every key (CLUSTERDOWN): every call fails closed.
      await cluster.failed();
      for (const key of keys) await expect(store.get(key)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.index("users").add("u2", "b")).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.increment("attempts", 60_000)).rejects.toBeInstanceOf(StoreUnavailableError);

      await cluster.restart(0);
      await cluster.healthy();
      await expect
        .poll(
          () =>
            store.ping().then(
              () => "ok",
              () => "down",
            ),
          { timeout: 20_000, interval: 200 },
        )
        .toBe("ok");
      await store.set("after", "back");
      expect(await store.get("after")).toBe("back");
      // The restarted node kept nothing (no persistence); the other nodes kept theirs.
      const kept = (await Promise.all(keys.map((key) => store.get(key)))).filter((value) => value !== undefined);
      expect(kept.length).toBeGreaterThan(0);
      expect(await store.index("users").add("u2", "b")).toBe(true);
    } finally {
      await store.close();
      await cluster.stop();
    }
  });
});
