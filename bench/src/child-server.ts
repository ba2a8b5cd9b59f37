import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const BENCH_DIR = fileURLToPath(new URL("..", import.meta.url));

export interface ChildServer<Info> {
  info: Info;
  pid: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. */
  stop(): Promise<void>;
}

/**
 * Runs a server entry (`node --import tsx ENTRY '<config JSON>'`) in its own
 * process and waits for the one JSON line it prints when ready.
 */
export async function startChildServer<Info>(options: {
  entry: string;
  config: unknown;
  /** Says which server failed in errors. */
  name: string;
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Keep stdin open as a pipe (a server can exit when it closes, i.e. when the bench dies). */
  stdinPipe?: boolean;
}): Promise<ChildServer<Info>> {
  const { entry, config, name, nodeArgs = [], env = process.env, stdinPipe = false } = options;
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, "--import", "tsx", entry, JSON.stringify(config)], {
    cwd: BENCH_DIR,
    env,
    stdio: [stdinPipe ? "pipe" : "ignore", "pipe", "inherit"],
  });
  const exited = once(child, "exit").then(([code, signal]) => {
    throw new Error(`${name} exited before it was ready (code ${code}, signal ${signal})`);
  });
  exited.catch(() => {}); // observed through the race below; later exits are expected
  const firstLine = (async () => {
    for await (const line of createInterface({ input: child.stdout! })) return line;
    throw new Error(`${name} closed stdout before it was ready`);
  })();
  let info: Info;
  try {
    info = JSON.parse(await Promise.race([firstLine, exited])) as Info;
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    info,
    pid: child.pid!,
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
