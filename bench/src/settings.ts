/** Benchmark knobs; each can be overridden from the environment. */
export interface Settings {
  /** Seconds per measured round (BENCH_DURATION). */
  duration: number;
  /** Concurrent keep-alive connections (BENCH_CONNECTIONS). */
  connections: number;
  /** Measured rounds per endpoint; the median is reported (BENCH_ROUNDS, at least 2). */
  rounds: number;
  /** Seconds of unmeasured load before every measured round (BENCH_WARMUP). */
  warmup: number;
}

function positive(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number ≥ ${min}, got "${raw}"`);
  return value;
}

export function readSettings(): Settings {
  return {
    duration: positive("BENCH_DURATION", 10),
    connections: Math.round(positive("BENCH_CONNECTIONS", 50)),
    rounds: Math.round(positive("BENCH_ROUNDS", 3, 2)),
    warmup: positive("BENCH_WARMUP", 2, 0),
  };
}
