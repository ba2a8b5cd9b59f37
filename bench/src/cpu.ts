import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

// Linux reports process times in clock ticks; USER_HZ is 100 on every mainstream build.
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system, all threads) used so far by process `pid`, or undefined where /proc is unavailable. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by this process. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Resident set size of process `pid` in bytes (VmRSS in /proc/<pid>/status), or undefined. */
export function rssBytesOf(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits until process `pid` has used under 5 % of a core over two consecutive
 * 300 ms periods (queued bcrypt work finished, say), or `maxSeconds` passed.
 * Returns the seconds waited.
 */
export async function waitForIdle(pid: number, maxSeconds = 30): Promise<number> {
  const started = performance.now();
  let quiet = 0;
  let before = cpuSecondsOf(pid);
  if (before === undefined) return 0;
  while (quiet < 2 && performance.now() - started < maxSeconds * 1000) {
    await sleep(300);
    const now = cpuSecondsOf(pid);
    if (now === undefined) break;
    quiet = now - before <= 0.015 ? quiet + 1 : 0;
    before = now;
  }
  return (performance.now() - started) / 1000;
}
