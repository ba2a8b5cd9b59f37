import autocannon from "autocannon";
import { cpuSecondsOf, ownCpuSeconds } from "./cpu.js";
import { summarize, type LatencySummary } from "./stats.js";

export interface LoadSpec {
  url: string;
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  duration?: number;
  /** Total requests to send instead of a duration. */
  amount?: number;
  /** Requests per second over all connections (autocannon's overallRate); unset = as fast as answers come. */
  overallRate?: number;
  /** Seconds before a request counts as timed out (default 10). */
  timeout?: number;
  /** Cycled through on each connection. */
  requests: autocannon.Request[];
  /** The server's process id, to report how busy it was. */
  serverPid?: number;
  /**
   * Latency only over requests sent at least this many seconds after the start
   * (statuses still count every answer): autocannon opens all its connections
   * at the start, and against a saturated server the handshake, not the
   * answer, dominates those first requests.
   */
  settleSeconds?: number;
}

export interface Measurement {
  /** Wall-clock seconds of the run. */
  seconds: number;
  /** Answers received (any status). */
  responses: number;
  requestsPerSecond: number;
  /** Answers completed after the first second ÷ the seconds after it (excludes ramp-up); = requestsPerSecond on short runs. */
  steadyRequestsPerSecond: number;
  /** Answers by HTTP status. */
  statuses: Record<string, number>;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  /** Over all answers (or those sent after settleSeconds), from autocannon's per-response times (hrtime, not its 1 ms histogram). */
  latency: LatencySummary;
  latencyByStatus: Record<string, LatencySummary>;
  /** Server process CPU seconds during the run (all threads). */
  serverCpuSeconds: number | undefined;
  /** Share of one core the server process used during the run. */
  serverCpu: number | undefined;
  /** Share of one core the load-generating process used during the run. */
  loadCpu: number;
}

const SETTLE_SECONDS = 1;

/** One autocannon run from this process against the target. */
export function runLoad(spec: LoadSpec): Promise<Measurement> {
  const serverBefore = spec.serverPid === undefined ? undefined : cpuSecondsOf(spec.serverPid);
  const ownBefore = ownCpuSeconds();
  const started = performance.now();
  const latencies = new Map<number, number[]>();
  const counts = new Map<number, number>();
  const settleMs = (spec.settleSeconds ?? 0) * 1000;
  let steadyResponses = 0;

  return new Promise<Measurement>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        ...(spec.amount === undefined ? { duration: spec.duration ?? 10 } : { amount: spec.amount }),
        ...(spec.overallRate === undefined ? {} : { overallRate: spec.overallRate }),
        timeout: spec.timeout ?? 10,
        pipelining: 1,
        requests: spec.requests,
      },
      (error, result) => {
        if (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        const seconds = (performance.now() - started) / 1000;
        const serverAfter = spec.serverPid === undefined ? undefined : cpuSecondsOf(spec.serverPid);
        const all: number[] = [];
        const latencyByStatus: Record<string, LatencySummary> = {};
        for (const [status, values] of latencies) {
          for (const value of values) all.push(value); // spread overflows the stack past ~125k answers
          latencyByStatus[status] = summarize(values);
        }
        const statuses = Object.fromEntries([...counts].map(([status, n]) => [String(status), n]));
        const responses = [...counts.values()].reduce((a, b) => a + b, 0);
        const serverCpuSeconds = serverBefore === undefined || serverAfter === undefined ? undefined : serverAfter - serverBefore;
        resolve({
          seconds,
          responses,
          requestsPerSecond: responses / seconds,
          steadyRequestsPerSecond: seconds > 3 * SETTLE_SECONDS ? steadyResponses / (seconds - SETTLE_SECONDS) : responses / seconds,
          statuses,
          errors: result.errors,
          timeouts: result.timeouts,
          latency: summarize(all),
          latencyByStatus,
          serverCpuSeconds,
          serverCpu: serverCpuSeconds === undefined ? undefined : serverCpuSeconds / seconds,
          loadCpu: (ownCpuSeconds() - ownBefore) / seconds,
        });
      },
    );
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      const elapsed = performance.now() - started;
      counts.set(statusCode, (counts.get(statusCode) ?? 0) + 1);
      if (elapsed > SETTLE_SECONDS * 1000) steadyResponses += 1;
      if (elapsed - responseTime < settleMs) return;
      let list = latencies.get(statusCode);
      if (!list) latencies.set(statusCode, (list = []));
      list.push(responseTime);
    });
  });
}

/** Answers whose status is not in `allowed`, plus connection errors. */
export function unexpected(m: Measurement, allowed: readonly number[]): { statuses: Record<string, number>; errors: number; count: number } {
  const statuses = Object.fromEntries(Object.entries(m.statuses).filter(([status]) => !allowed.includes(Number(status))));
  const count = Object.values(statuses).reduce((a, b) => a + b, 0) + m.errors;
  return { statuses, errors: m.errors, count };
}

export function describe(m: Measurement): string {
  const cpu = m.serverCpu === undefined ? "" : `, server CPU ${Math.round(m.serverCpu * 100)} %, load generator CPU ${Math.round(m.loadCpu * 100)} %`;
  const statuses = Object.entries(m.statuses)
    .map(([s, n]) => `${s}×${n}`)
    .join(" ");
  const errors = m.errors ? `, ${m.errors} errors (${m.timeouts} timeouts)` : "";
  return `  → ${Math.round(m.requestsPerSecond)} req/s, p50 ${m.latency.p50.toFixed(2)} ms, p99 ${m.latency.p99.toFixed(2)} ms${cpu} [${statuses}]${errors}`;
}
