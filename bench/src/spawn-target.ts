import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { TargetInfo } from "./target-server.js";

export interface Target extends TargetInfo {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL("./target-server.ts", import.meta.url));
const BENCH_DIR = fileURLToPath(new URL("..", import.meta.url));

/** Starts the server in its own process and waits for its JSON line. */
export async function startTarget(storeUrl: string, refreshSessions: number): Promise<Target> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", ENTRY, storeUrl, String(refreshSessions)], {
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
  return {
    ...info,
    pid: child.pid!,
    url: `http://127.0.0.1:${info.port}`,
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
