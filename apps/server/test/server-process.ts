import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
// tsx resolves from the server package, whichever package's tests start it.
const SERVER_ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export const tempDataDir = (): string => mkdtempSync(join(tmpdir(), "gatehouse-server-"));

/** The real server as a child process, configured only by its environment. */
export function runServer(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    cwd: SERVER_ROOT,
    env: { PATH: process.env.PATH, PORT: "0", AUTH_BCRYPT_COST: "4", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const { child, output, exited } = runServer(env);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output()}`)), 20_000);
    const check = () => {
      const match = /"event":"server_started","url":"([^"]+)"/.exec(output());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${output()}`)));
  });
  return {
    url,
    child,
    output,
    stop: async (signal = "SIGTERM") => {
      child.kill(signal);
      return exited;
    },
  };
}
