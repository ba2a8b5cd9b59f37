import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { createClient } from "@redis/client";

const hasRedisServer = spawnSync("redis-server", ["--version"]).status === 0;

/**
 * A throwaway redis-server of the test's own on a free port, to hang or stop
 * mid-test. Undefined (with a message) when there is no redis-server binary,
 * outside CI only.
 */
export async function startRedisServer(): Promise<{ url: string; hang(): void; resume(): void; stop(): Promise<void> } | undefined> {
  if (!hasRedisServer) {
    if (process.env.CI === "true") throw new Error("CI=true but redis-server is not installed");
    console.warn("Skipping: no redis-server binary on PATH.");
    return undefined;
  }
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt += 1) {
    const client = createClient({ url, socket: { reconnectStrategy: false } });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.close();
      break;
    } catch (error) {
      if (attempt === 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    hang: () => void child.kill("SIGSTOP"),
    resume: () => void child.kill("SIGCONT"),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}
