import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@redis/client";
import { freePort } from "./free-port.js";

export interface LocalRedisCluster {
  /** `redis-cluster://127.0.0.1:P1,127.0.0.1:P2,…`: every node as a seed. */
  url: string;
  ports: number[];
  /** Kills node `i` (SIGKILL): its slots have no master until it is back. */
  kill(i: number): Promise<void>;
  /** Starts node `i` again on its port with its cluster configuration (its data is gone: no persistence). */
  restart(i: number): Promise<void>;
  /** Resolves once every node reports the cluster healthy (all 16,384 slots served). */
  healthy(timeoutMs?: number): Promise<void>;
  /** Resolves once every node still running reports the cluster failed: from then on it refuses every key (CLUSTERDOWN). */
  failed(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** True when both binaries a local cluster needs are on PATH. */
export const redisClusterToolsInstalled = (): boolean =>
  spawnSync("redis-server", ["--version"]).status === 0 && spawnSync("redis-cli", ["--version"]).status === 0;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function clusterInfo(port: number): Promise<string> {
  const client = createClient({ socket: { host: "127.0.0.1", port, connectTimeout: 500, reconnectStrategy: false } });
  client.on("error", () => {});
  await client.connect();
  try {
    return String(await client.sendCommand(["CLUSTER", "INFO"]));
  } finally {
    client.destroy();
  }
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
  });

/**
 * A throwaway Redis Cluster of `size` masters (no replicas, nothing written
 * to disk but each node's cluster configuration) in a temporary directory, on
 * free ports: for tests and benchmarks that need a real cluster. A short node
 * timeout lets the cluster notice a killed node within seconds.
 */
export async function startRedisCluster(options: { size?: number; nodeTimeoutMs?: number } = {}): Promise<LocalRedisCluster> {
  const { size = 3, nodeTimeoutMs = 2_000 } = options;
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-cluster-"));
  const ports: number[] = [];
  const busPorts: number[] = [];
  for (let i = 0; i < size; i += 1) {
    ports.push(await freePort());
    busPorts.push(await freePort());
  }
  const nodes: ChildProcess[] = [];
  // If the caller dies without stopping the cluster, its nodes go with it.
  const killAll = () => nodes.forEach((node) => node.kill("SIGKILL"));
  process.once("exit", killAll);
  const startNode = (i: number): ChildProcess =>
    spawn(
      "redis-server",
      [
        "--port",
        String(ports[i]),
        "--bind",
        "127.0.0.1",
        "--cluster-enabled",
        "yes",
        "--cluster-port",
        String(busPorts[i]),
        "--cluster-config-file",
        `nodes-${ports[i]}.conf`,
        "--cluster-node-timeout",
        String(nodeTimeoutMs),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
      ],
      { stdio: "ignore" },
    );
  const answers = async (i: number): Promise<void> => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await clusterInfo(ports[i]!);
        return;
      } catch (error) {
        if (attempt === 100) throw error;
        await sleep(50);
      }
    }
  };
  const waitFor = async (what: string, timeoutMs: number, reached: (infos: Array<string | undefined>) => boolean): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (reached(await Promise.all(ports.map((port) => clusterInfo(port).catch(() => undefined))))) return;
      if (Date.now() > deadline) throw new Error(`the local Redis Cluster is not ${what} after ${timeoutMs} ms`);
      await sleep(100);
    }
  };
  const healthy = (timeoutMs = 20_000) =>
    waitFor("healthy", timeoutMs, (infos) => infos.every((info) => info?.includes("cluster_state:ok") && info.includes("cluster_slots_ok:16384")));
  const failed = (timeoutMs = 20_000) =>
    waitFor("failed", timeoutMs, (infos) => infos.every((info) => info === undefined || info.includes("cluster_state:fail")));
  const stop = async (): Promise<void> => {
    process.off("exit", killAll);
    await Promise.all(
      nodes.map((node) => {
        node.kill("SIGKILL");
        return exited(node);
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (let i = 0; i < size; i += 1) nodes.push(startNode(i));
    await Promise.all(ports.map((_, i) => answers(i)));
    const create = spawnSync("redis-cli", ["--cluster", "create", ...ports.map((port) => `127.0.0.1:${port}`), "--cluster-yes"], { encoding: "utf8" });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}${create.stderr}`);
    await healthy();
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url: `redis-cluster://${ports.map((port) => `127.0.0.1:${port}`).join(",")}`,
    ports,
    async kill(i) {
      nodes[i]!.kill("SIGKILL");
      await exited(nodes[i]!);
    },
    async restart(i) {
      nodes[i] = startNode(i);
      await answers(i);
    },
    healthy,
    failed,
    stop,
  };
}
