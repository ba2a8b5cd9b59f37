/** Starts better-auth-server.ts in its own process, as spawn-target.ts does for Gatehouse. */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { API_PREFIX, type PeerConfig, type PeerInfo } from "./protocol.js";

export interface Peer extends PeerInfo {
  pid: number;
  url: string;
  /** `samples` timings (ms) of `parallel` concurrent password verifications, inside the peer. */
  timeVerifications(samples: number, parallel: number): Promise<number[]>;
  /** True if get-session with the session cookie answers with the session user. */
  sessionValid(): Promise<boolean>;
  stop(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL("./better-auth-server.ts", import.meta.url));
const BENCH_DIR = fileURLToPath(new URL("../..", import.meta.url));

export async function startPeer(config: PeerConfig): Promise<Peer> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", ENTRY, JSON.stringify(config)], {
    cwd: BENCH_DIR,
    // better-auth's production mode: its defaults as deployed.
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit").then(([code, signal]) => {
    throw new Error(`better-auth server exited before it was ready (code ${code}, signal ${signal})`);
  });
  exited.catch(() => {}); // observed through the race below; later exits are expected
  const firstLine = (async () => {
    for await (const line of createInterface({ input: child.stdout! })) return line;
    throw new Error("better-auth server closed stdout before it was ready");
  })();
  let info: PeerInfo;
  try {
    info = JSON.parse(await Promise.race([firstLine, exited])) as PeerInfo;
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  const url = `http://127.0.0.1:${info.port}`;
  return {
    ...info,
    pid: child.pid!,
    url,
    async timeVerifications(samples, parallel) {
      const response = await fetch(`${url}/bench/verify?samples=${samples}&parallel=${parallel}`, { method: "POST" });
      if (!response.ok) throw new Error(`better-auth bench control verify: HTTP ${response.status} ${await response.text()}`);
      return ((await response.json()) as { ms: number[] }).ms;
    },
    async sessionValid() {
      const response = await fetch(`${url}${API_PREFIX}/get-session`, { headers: { cookie: info.sessionCookie } });
      if (!response.ok) return false;
      const body = (await response.json()) as { user?: { email?: string } } | null;
      return body?.user?.email === info.sessionEmail;
    },
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
