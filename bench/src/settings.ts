/** Benchmark knobs; each can be overridden from the environment. */

export const SECTIONS = ["me", "refresh", "abuse", "login", "memory", "enumeration", "peer", "adapters", "growth"] as const;
export type Section = (typeof SECTIONS)[number];

export const STORES = ["memory", "sqlite", "redis", "postgres", "redis-cluster"] as const;
export type StoreKind = (typeof STORES)[number];

export interface Settings {
  /** Sections to run (BENCH_ONLY, comma-separated; default all). */
  only: ReadonlySet<Section>;
  /** Stores for the throughput and rejected-login sections, run in the order given (BENCH_STORES; default all of STORES). */
  stores: readonly StoreKind[];
  /** Seconds per measured round of the throughput runs (BENCH_DURATION). */
  duration: number;
  /** Concurrent keep-alive connections of the throughput runs and floods (BENCH_CONNECTIONS). */
  connections: number;
  /** Measured rounds; the median is reported (BENCH_ROUNDS, at least 2). */
  rounds: number;
  /** Adjacent bare/auth.me round pairs behind each auth.me ÷ bare ratio; the median pair is reported (BENCH_PAIRS, at least 3). */
  pairs: number;
  /** Seconds of unmeasured load before an endpoint's first measured round (BENCH_WARMUP). */
  warmup: number;
  /** Redis for the Redis store; a dedicated database that the bench flushes (BENCH_REDIS_URL). */
  redisUrl: string;
  /** Postgres server on which the bench creates (and drops) a database per target (BENCH_POSTGRES_URL). */
  postgresUrl: string;
  /** Fixed rate of the auth.me probe in the isolation runs, requests per second (BENCH_ME_RATE). */
  meRate: number;
  /** Requests with distinct client IPs in the memory section (BENCH_MEMORY_REQUESTS). */
  memoryRequests: number;
  /** Interleaved login pairs (unknown email / wrong password) in the enumeration section (BENCH_ENUM_LOGINS). */
  enumLogins: number;
  /** Interleaved reset-request pairs (known / unknown email) in the enumeration section (BENCH_ENUM_RESETS). */
  enumResets: number;
  /** User counts the growth section measures at, seeded through the store (BENCH_GROWTH_USERS, comma-separated). */
  growthUsers: number[];
  /** Signups sent by each of the two instances in the growth section's concurrency run (BENCH_GROWTH_SIGNUPS). */
  growthSignups: number;
}

function positive(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number ≥ ${min}, got "${raw}"`);
  return value;
}

/** The items named in `name`, in the order given (default: all of `allowed`). */
function list<T extends string>(name: string, allowed: readonly T[]): T[] {
  const raw = process.env[name]?.trim();
  if (!raw) return [...allowed];
  const items = raw
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) throw new Error(`${name}: unknown "${item}"; choose from ${allowed.join(", ")}`);
  }
  return [...new Set(items as T[])];
}

/** Whole numbers from 0, ascending (default `fallback`). */
function counts(name: string, fallback: number[]): number[] {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const values = raw.split(",").map((s) => Number(s.trim()));
  if (values.some((v) => !Number.isSafeInteger(v) || v < 0)) throw new Error(`${name} must be whole numbers from 0, comma-separated, got "${raw}"`);
  return [...new Set(values)].sort((a, b) => a - b);
}

export function readSettings(): Settings {
  return {
    only: new Set(list("BENCH_ONLY", SECTIONS)),
    stores: list("BENCH_STORES", STORES),
    duration: positive("BENCH_DURATION", 5),
    connections: Math.round(positive("BENCH_CONNECTIONS", 50)),
    rounds: Math.round(positive("BENCH_ROUNDS", 3, 2)),
    pairs: Math.round(positive("BENCH_PAIRS", 7, 3)),
    warmup: positive("BENCH_WARMUP", 3, 0),
    redisUrl: process.env.BENCH_REDIS_URL || "redis://127.0.0.1:6379/11",
    postgresUrl: process.env.BENCH_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/postgres",
    meRate: Math.round(positive("BENCH_ME_RATE", 200)),
    memoryRequests: Math.round(positive("BENCH_MEMORY_REQUESTS", 100_000)),
    enumLogins: Math.round(positive("BENCH_ENUM_LOGINS", 40, 2)),
    enumResets: Math.round(positive("BENCH_ENUM_RESETS", 300, 2)),
    growthUsers: counts("BENCH_GROWTH_USERS", [0, 100_000, 1_000_000]),
    growthSignups: Math.round(positive("BENCH_GROWTH_SIGNUPS", 1500)),
  };
}
