import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
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
  stop(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL("./target-server.ts", import.meta.url));
const BENCH_DIR = fileURLToPath(new URL("..", import.meta.url));

/** Starts the server in its own process and waits for its JSON line. */
export async function startTarget(config: TargetConfig): Promise<Target> {
  const child: ChildProcess = spawn(process.execPath, ["--expose-gc", "--import", "tsx", ENTRY, JSON.stringify(config)], {
    cwd: BENCH_DIR,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit").then(([code, signal]) => {
    throw new Error(`target server exited before it was ready (code ${code}, signal ${signal})`);
  });
  exited.catch(() => {}); // observed through the race below; later exits are expected
  const firstLine = (async () => {
    for await (const line of createInterface({ input: child.stdout! })) return line;
    throw new Error("target server closed stdout before it was ready");
  })();
  let info: TargetInfo;
  try {
    info = JSON.parse(await Promise.race([firstLine, exited])) as TargetInfo;
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  const url = `http://127.0.0.1:${info.port}`;
  const control = async <T>(method: "GET" | "POST", path: string): Promise<T> => {
    const response = await fetch(`${url}/bench/${path}`, { method });
    if (!response.ok) throw new Error(`bench control ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    ...info,
    pid: child.pid!,
    url,
    stats: () => control<TargetStats>("GET", "stats"),
    gc: async () => (await control<{ collected: boolean }>("POST", "gc")).collected,
    advanceClock: (seconds) => control("POST", `advance?seconds=${seconds}`),
    timeVerifications: async (samples, parallel) => (await control<{ ms: number[] }>("POST", `verify?samples=${samples}&parallel=${parallel}`)).ms,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await gone;
      clearTimeout(timer);
    },
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
