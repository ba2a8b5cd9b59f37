import autocannon from "autocannon";
import { cpuSecondsOf, ownCpuSeconds } from "./cpu.js";

export interface LoadSpec {
  url: string;
  connections: number;
  /** Seconds. */
  duration: number;
  /** Fixed request (method, path, headers) or a dynamic one with setupRequest/onResponse. */
  request: autocannon.Request;
  /** The server's process id, to report how busy it was. */
  serverPid: number;
}

export interface Measurement {
  requestsPerSecond: number;
  /** Milliseconds (autocannon's resolution is 1 ms). */
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
  /** Share of one core the server process used during the run. */
  serverCpu: number | undefined;
  /** Share of one core this (load-generating) process used during the run. */
  loadCpu: number;
}

/** One autocannon run from this process against the target. */
export async function runLoad(spec: LoadSpec): Promise<Measurement> {
  const serverBefore = cpuSecondsOf(spec.serverPid);
  const ownBefore = ownCpuSeconds();
  const started = performance.now();
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    pipelining: 1,
    requests: [spec.request],
  });
  const elapsed = (performance.now() - started) / 1000;
  const serverAfter = cpuSecondsOf(spec.serverPid);
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    serverCpu: serverBefore === undefined || serverAfter === undefined ? undefined : (serverAfter - serverBefore) / elapsed,
    loadCpu: (ownCpuSeconds() - ownBefore) / elapsed,
  };
}
