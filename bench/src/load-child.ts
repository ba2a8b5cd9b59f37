import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { LoadSpec, Measurement } from "./load.js";

const ENTRY = fileURLToPath(new URL("./load-worker.ts", import.meta.url));
const BENCH_DIR = fileURLToPath(new URL("..", import.meta.url));

export interface LoadChild {
  /** Starts a run in the child; resolves with its measurement. */
  run(spec: LoadSpec): Promise<Measurement>;
  stop(): Promise<void>;
}

/** A persistent child process running autocannon, so a second load needs no process start-up each time. */
export function startLoadChild(): LoadChild {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY], { cwd: BENCH_DIR, stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let busy = false;
  return {
    async run(spec) {
      if (busy) throw new Error("the load child runs one load at a time");
      busy = true;
      try {
        child.stdin.write(`${JSON.stringify(spec)}\n`);
        const next = await lines.next();
        if (next.done) throw new Error("the load child exited");
        const answer = JSON.parse(next.value) as { ok: true; measurement: Measurement } | { ok: false; error: string };
        if (!answer.ok) throw new Error(`load child: ${answer.error}`);
        return answer.measurement;
      } finally {
        busy = false;
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, "exit");
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
