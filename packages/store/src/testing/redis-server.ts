import { spawn, spawnSync } from "node:child_process";
import { createClient } from "@redis/client";
import { freePort } from "./free-port.js";

export interface LocalRedisServer {
  /** `redis://127.0.0.1:PORT`: a server of its own, empty. */
  url: string;
  /** Stops it answering (SIGSTOP): its clients see a server that hangs. */
  hang(): void;
  resume(): void;
  stop(): Promise<void>;
}

export const redisServerInstalled = (): boolean => spawnSync("redis-server", ["--version"]).status === 0;

/**
 * A throwaway redis-server on a free port (nothing written to disk), for a
 * test that needs a Redis of its own: to hang or stop it, or to start from an
 * empty database without flushing a shared one.
 */
export async function startRedisServer(): Promise<LocalRedisServer> {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const killNow = () => child.kill("SIGKILL");
  process.once("exit", killNow);
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    const client = createClient({ url, socket: { reconnectStrategy: false } });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.close();
      break;
    } catch (error) {
      if (attempt === 50) {
        killNow();
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    hang: () => void child.kill("SIGSTOP"),
    resume: () => void child.kill("SIGCONT"),
    stop: () =>
      new Promise<void>((resolve) => {
        process.off("exit", killNow);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}
