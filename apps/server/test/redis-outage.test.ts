import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { startServerProcess, tempDataDir, type ServerProcess } from "./server-process.js";

/** A redis-server of the test's own, on a fixed port so it can be stopped and started again. */
function redisOn(port: number): ChildProcess {
  return spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const waitFor = async (check: () => Promise<boolean>, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
};

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });

const hasRedisServer = spawnSync("redis-server", ["--version"]).status === 0;
if (!hasRedisServer && process.env.CI === "true") throw new Error("CI=true but redis-server is not installed");
if (!hasRedisServer) console.warn("Skipping the Redis outage test: no redis-server binary on PATH.");

describe.skipIf(!hasRedisServer)("when Redis fails", () => {
  let redis: ChildProcess | undefined;
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    if (redis) await stop(redis);
  });

  it("answers 503 store_unavailable, fails closed, stays up, bounds latency, and recovers by itself", { timeout: 60_000 }, async () => {
    const port = await freePort();
    redis = redisOn(port);
    const storeUrl = `redis://127.0.0.1:${port}`;
    server = await (async () => {
      for (let attempt = 0; attempt < 50; attempt += 1) {
        try {
          return await startServerProcess({ AUTH_STORE_URL: storeUrl, AUTH_DATA_DIR: tempDataDir(), AUTH_JWT_SECRET: Buffer.alloc(32, 3).toString("base64") });
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      throw new Error("server did not start against the test redis");
    })();
    const { url } = server;
    const post = (procedure: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${url}/trpc/${procedure}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Auth-Mode": "token", ...headers },
        body: JSON.stringify(body),
      });
    const signup = (await (await post("auth.signup", { email: "outage@example.com", password: "a long enough passphrase" })).json()) as {
      result: { data: { accessToken: string } };
    };
    const token = signup.result.data.accessToken;
    expect((await fetch(`${url}/health`)).status).toBe(200);

    // Hung, not gone: commands must time out instead of waiting forever.
    redis.kill("SIGSTOP");
    const started = Date.now();
    const hung = await fetch(`${url}/trpc/auth.me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(hung.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(5_000);
    redis.kill("SIGCONT");

    await stop(redis);
    expect((await fetch(`${url}/health`)).status).toBe(503);
    const login = await post("auth.login", { email: "outage@example.com", password: "a long enough passphrase" });
    expect(login.status).toBe(503);
    const loginBody = (await login.json()) as { error: { data: { reason: string } } };
    expect(loginBody.error.data.reason).toBe("store_unavailable");
    expect(login.headers.get("retry-after")).toBe("1");
    const me = await fetch(`${url}/trpc/auth.me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(me.status).toBe(503);
    expect(server.child.exitCode).toBeNull();

    redis = redisOn(port);
    expect(await waitFor(async () => (await fetch(`${url}/health`)).status === 200)).toBe(true);
    // The data is gone with that Redis (it kept nothing on disk); the service works again.
    const again = await post("auth.signup", { email: "after@example.com", password: "a long enough passphrase" });
    expect(again.status).toBe(200);
    expect(server.output()).not.toContain("unhandled_error");
  });
});
