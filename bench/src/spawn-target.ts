import { fileURLToPath } from "node:url";
import { startChildServer } from "./child-server.js";
import type { GrowthStats } from "./growth-controls.js";
import type { TargetConfig, TargetInfo, TargetStats } from "./target-server.js";

export interface Target extends TargetInfo {
  pid: number;
  url: string;
  stats(): Promise<TargetStats>;
  /** Forces a full garbage collection (the target runs with --expose-gc); false if unavailable. */
  gc(): Promise<boolean>;
  /** Moves the target's clock forward and sweeps expired entries from a memory or SQLite store. */
  advanceClock(seconds: number): Promise<{ swept: number | undefined; entries: number | undefined }>;
  /** `samples` timings (ms) of `parallel` concurrent password verifications, inside the target. */
  timeVerifications(samples: number, parallel: number): Promise<number[]>;
  /** Creates `count` users straight through the store (growth section). */
  seed(count: number): Promise<{ seeded: number; users: number }>;
  /** A fresh access token of an admin (created on first use). */
  adminToken(): Promise<string>;
  /** Users, audit trail length, and with `verify` the trail's verification. */
  growthStats(verify: boolean): Promise<GrowthStats>;
  stop(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL("./target-server.ts", import.meta.url));

/** Starts the server in its own process and waits for its JSON line. */
export async function startTarget(config: TargetConfig, nodeArgs: string[] = []): Promise<Target> {
  const server = await startChildServer<TargetInfo>({ entry: ENTRY, config, name: "target server", nodeArgs: ["--expose-gc", ...nodeArgs] });
  const { info } = server;
  const url = `http://127.0.0.1:${info.port}`;
  const control = async <T>(method: "GET" | "POST", path: string): Promise<T> => {
    const response = await fetch(`${url}/bench/${path}`, { method });
    if (!response.ok) throw new Error(`bench control ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    ...info,
    pid: server.pid,
    url,
    stats: () => control<TargetStats>("GET", "stats"),
    gc: async () => (await control<{ collected: boolean }>("POST", "gc")).collected,
    advanceClock: (seconds) => control("POST", `advance?seconds=${seconds}`),
    timeVerifications: async (samples, parallel) => (await control<{ ms: number[] }>("POST", `verify?samples=${samples}&parallel=${parallel}`)).ms,
    seed: (count) => control("POST", `seed?count=${count}`),
    adminToken: async () => (await control<{ accessToken: string }>("POST", "admin-token")).accessToken,
    growthStats: (verify) => control("GET", `growth${verify ? "?verify=1" : ""}`),
    stop: server.stop,
  };
}

/** Starts a target, runs `body`, and always stops the target. */
export async function withTarget<T>(config: TargetConfig, body: (target: Target) => Promise<T>): Promise<T> {
  const target = await startTarget(config);
  try {
    return await body(target);
  } finally {
    await target.stop();
  }
}
