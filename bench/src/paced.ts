import { Agent, request } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { cpuSecondsOf, ownCpuSeconds } from "./cpu.js";
import type { Measurement } from "./load.js";
import { summarize, type LatencySummary } from "./stats.js";

export interface PacedSpec {
  url: string;
  path: string;
  headers?: Record<string, string>;
  /** Requests per second, sent evenly spaced whatever the answers do (open loop). */
  rate: number;
  duration: number;
  /** Keep-alive sockets, opened before measuring; a send finding all busy waits for one (counted in its latency). */
  sockets?: number;
  serverPid?: number;
}

/**
 * A paced, open-loop GET probe: one request every 1/rate s, each timed from
 * the moment it was due to the end of its answer (hrtime). autocannon's own
 * rate limit is not used for latency probes: it lets each connection send
 * its whole per-second quota back to back at the top of every second, so a
 * "200 req/s" probe is really a burst of 200 once a second.
 */
export async function runPaced(spec: PacedSpec): Promise<Measurement> {
  const sockets = spec.sockets ?? 32;
  // FIFO reuse keeps every socket busy enough that none reaches the server's keep-alive timeout.
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, scheduling: "fifo" });
  const target = new URL(spec.path, spec.url);
  let latencies = new Map<number, number[]>();
  let errors = 0;
  const send = (due: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const req = request(target, { agent, method: "GET", headers: spec.headers }, (res) => {
        res.resume();
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          let list = latencies.get(status);
          if (!list) latencies.set(status, (list = []));
          list.push(performance.now() - due);
          resolve();
        });
      });
      req.setTimeout(10_000, () => req.destroy(new Error("timeout")));
      req.on("error", () => {
        errors += 1;
        resolve();
      });
      req.end();
    });

  // Connect every socket first (unmeasured): a connection opened under load would time its handshake, not the server's answer.
  await Promise.all(Array.from({ length: sockets }, () => send(performance.now())));
  latencies = new Map();
  errors = 0;

  const serverBefore = spec.serverPid === undefined ? undefined : cpuSecondsOf(spec.serverPid);
  const ownBefore = ownCpuSeconds();
  const started = performance.now();
  const interval = 1000 / spec.rate;
  const total = Math.round(spec.rate * spec.duration);
  const inFlight = new Set<Promise<void>>();

  for (let i = 0; i < total; i += 1) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const sending = send(due).finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  }
  await Promise.all([...inFlight]);
  agent.destroy();

  const seconds = (performance.now() - started) / 1000;
  const serverAfter = spec.serverPid === undefined ? undefined : cpuSecondsOf(spec.serverPid);
  const all: number[] = [];
  const latencyByStatus: Record<string, LatencySummary> = {};
  const statuses: Record<string, number> = {};
  for (const [status, values] of latencies) {
    all.push(...values);
    latencyByStatus[status] = summarize(values);
    statuses[status] = values.length;
  }
  const serverCpuSeconds = serverBefore === undefined || serverAfter === undefined ? undefined : serverAfter - serverBefore;
  return {
    seconds,
    responses: all.length,
    requestsPerSecond: all.length / seconds,
    steadyRequestsPerSecond: all.length / seconds,
    statuses,
    errors,
    timeouts: 0,
    latency: summarize(all),
    latencyByStatus,
    serverCpuSeconds,
    serverCpu: serverCpuSeconds === undefined ? undefined : serverCpuSeconds / seconds,
    loadCpu: (ownCpuSeconds() - ownBefore) / seconds,
  };
}
