import { createRedisBackend } from "@gatehouse/store";
import { closeWhenTestEnds } from "./support/cleanup.js";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** Outside CI, Redis tests skip with a message when no Redis answers; under CI=true they must run. */
async function probe(): Promise<boolean> {
  try {
    const backend = await createRedisBackend({ url: REDIS_URL, commandTimeoutMs: 1_000 });
    await backend.ping();
    await backend.close();
    return true;
  } catch {
    if (process.env.CI === "true") throw new Error(`CI=true but no Redis answers at ${REDIS_URL}`);
    console.warn(`Skipping Redis tests: no Redis answers at ${REDIS_URL}.`);
    return false;
  }
}

export const hasRedis = await probe();

/** A throwaway redis-server of our own on a free port, to take down mid-test; killed when the test ends. */
export async function startDedicatedRedis(): Promise<{ url: string; stop(): Promise<void>; hang(): void; resume(): void }> {
  const { spawn } = await import("node:child_process");
  const { createServer } = await import("node:net");
  const port = await new Promise<number>((resolve) => {
    const probeServer = createServer().listen(0, "127.0.0.1", () => {
      const { port: free } = probeServer.address() as { port: number };
      probeServer.close(() => resolve(free));
    });
  });
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 50; attempt += 1) {
    try {
      const backend = await createRedisBackend({ url, commandTimeoutMs: 200 });
      await backend.close();
      break;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  closeWhenTestEnds(stop);
  return {
    url,
    /** Hung, not gone: the connection stays open and nothing answers. */
    hang: () => void child.kill("SIGSTOP"),
    resume: () => void child.kill("SIGCONT"),
    stop,
  };
}
