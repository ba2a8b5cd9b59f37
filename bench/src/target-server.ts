/**
 * The system under test, run as its own process (`node --import tsx`):
 * createGatehouseServer (Gatehouse under /trpc/), with the bare baseline under
 * /bare/ and bench controls under /bench/ on the same server. Prints one JSON line (port and setup
 * tokens) on stdout, then serves until SIGTERM.
 * Usage: target-server.ts '<TargetConfig as JSON>'
 */
import { statSync } from "node:fs";
import type { ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createGatehouseServer,
  createLogger,
  createOutboxMailer,
  createSecretKeyRing,
  createServices,
  LIMIT_RULES,
  type Limit,
  type LimitRule,
} from "@gatehouse/auth";
import { createMemoryBackend, createStore, openBackend, type AtomicBackend, type LocalMaintenance } from "@gatehouse/store";
import { PASSWORD, signUpMany } from "./accounts.js";
import { BARE_PREFIX, createBareHandler } from "./bare-router.js";
import { createGrowthControls } from "./growth-controls.js";

export interface TargetConfig {
  /** AUTH_STORE_URL-style: memory://, sqlite://PATH, redis://HOST:PORT/DB. */
  store: string;
  bcryptCost: number;
  /**
   * "open": every rule raised to 10⁹ per 60 s, so the limiter runs (and costs
   * what it costs) but never refuses; "default": the shipped limits.
   */
  limits: "open" | "default";
  /** Rules set on top of that base. */
  overrides?: Partial<Record<LimitRule, Limit>>;
  /** Reverse-proxy hops trusted for X-Forwarded-For (TRUST_PROXY). */
  trustProxy?: number;
  /** Users signed up in token mode whose unused refresh tokens are handed back. */
  refreshSessions?: number;
  /** Users signed up (password PASSWORD) whose emails are handed back, for logins. */
  accounts?: number;
  /** Sign up one user whose access token is handed back for auth.me (default true). */
  meUser?: boolean;
  /** Mails go to JSON files in this directory (the outbox transport); without it mails are skipped. */
  outboxDir?: string;
  /** The slow-down of clients hammering past a limit (GatehouseOptions.slowDownMaxMs); the library default when omitted. */
  slowDownMaxMs?: number;
  /** Entries a memory store holds at most (the growth section holds millions); the backend's default when omitted. */
  memoryMaxEntries?: number;
  /** The store's key prefix (AUTH_STORE_PREFIX), so two targets can share one Redis database. */
  prefix?: string;
}

export interface TargetInfo {
  port: number;
  /** A valid access token for `auth.me` ("" without meUser). */
  accessToken: string;
  /** Unused refresh tokens, one per session, for `auth.refresh`. */
  refreshTokens: string[];
  /** Accounts with password PASSWORD. */
  emails: string[];
  hashingConcurrency: number;
}

/** GET /bench/stats */
export interface TargetStats {
  /** Entries held by a memory or SQLite store, expired ones included; undefined for Redis. */
  entries: number | undefined;
  /** SQLite: database, WAL and shared-memory file sizes. */
  sqliteBytes: { db: number; wal: number; shm: number } | undefined;
  heapUsedBytes: number;
}

const OPEN_LIMITS = Object.fromEntries(LIMIT_RULES.map((rule) => [rule, { max: 1_000_000_000, windowSeconds: 60 }])) as Record<LimitRule, Limit>;
export const BENCH_PREFIX = "/bench/";

const config = JSON.parse(process.argv[2] ?? "null") as TargetConfig | null;
if (!config?.store) throw new Error("usage: target-server.ts '<TargetConfig JSON>'");

// The system clock plus an offset that /bench/advance moves forward, so expiry can be observed without waiting.
let clockOffsetMs = 0;
const clock = (): number => Date.now() + clockOffsetMs;

const backend: AtomicBackend & Partial<LocalMaintenance> =
  config.store === "memory://" && config.memoryMaxEntries
    ? createMemoryBackend({ clock, maxEntries: config.memoryMaxEntries })
    : await openBackend(config.store, clock);
const store = createStore(backend, config.prefix);
const sqlitePath = config.store.startsWith("sqlite://") ? config.store.slice("sqlite://".length) : undefined;
const services = await createServices({
  store,
  clock,
  keys: createSecretKeyRing([new TextEncoder().encode("bench-secret-".padEnd(48, "x"))]),
  logger: createLogger({ level: "silent" }),
  dataKey: "bench-data-key-bench-data-key-bench-data-key",
  bcryptCost: config.bcryptCost,
  trustProxy: config.trustProxy ?? 0,
  limits: { ...(config.limits === "open" ? OPEN_LIMITS : {}), ...config.overrides },
  slowDownMaxMs: config.slowDownMaxMs,
  mailer: config.outboxDir ? createOutboxMailer(config.outboxDir, clock) : undefined,
});
const bare = createBareHandler();
const growth = createGrowthControls(services);

const fileSize = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

const send = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};

let verificationHash: string | undefined;
async function timeVerifications(samples: number, parallel: number): Promise<number[]> {
  verificationHash ??=
    (config!.accounts ? (await services.users.findByEmail(info.emails[0]!))?.passwordHash : undefined) ?? (await services.passwords.hash(PASSWORD));
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: parallel }, () => services.passwords.verify(PASSWORD, verificationHash!)));
    if (!results.every(Boolean)) throw new Error("verification failed");
    times.push(performance.now() - started);
  }
  return times;
}

async function control(path: string, query: URLSearchParams, res: ServerResponse): Promise<void> {
  switch (path) {
    case "stats": {
      const stats: TargetStats = {
        entries: backend.countEntries?.(),
        sqliteBytes: sqlitePath ? { db: fileSize(sqlitePath), wal: fileSize(`${sqlitePath}-wal`), shm: fileSize(`${sqlitePath}-shm`) } : undefined,
        heapUsedBytes: process.memoryUsage().heapUsed,
      };
      return send(res, 200, stats);
    }
    case "gc": {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      return send(res, 200, { collected: Boolean(gc) });
    }
    case "advance": {
      clockOffsetMs += Number(query.get("seconds") ?? 0) * 1000;
      return send(res, 200, { swept: backend.sweep?.(), entries: backend.countEntries?.() });
    }
    case "verify":
      // The real path: HMAC pre-hash, the bounded hashing queue, @node-rs/bcrypt on the libuv pool.
      return send(res, 200, { ms: await timeVerifications(Number(query.get("samples") ?? 3), Number(query.get("parallel") ?? 1)) });
    default: {
      const answer = await growth(path, query);
      return answer === undefined ? send(res, 404, { error: "unknown control" }) : send(res, 200, answer);
    }
  }
}

// The server the app ships (createGatehouseServer); the baseline and the controls go through its serveFirst hook.
const server = createGatehouseServer(services, {
  serveFirst: (req, res) => {
    const url = req.url ?? "/";
    if (url.startsWith(BARE_PREFIX)) {
      bare(req, res);
      return true;
    }
    if (url.startsWith(BENCH_PREFIX)) {
      const parsed = new URL(url, "http://bench");
      control(parsed.pathname.slice(BENCH_PREFIX.length), parsed.searchParams, res).catch((error: unknown) => send(res, 500, { error: String(error) }));
      return true;
    }
    return false;
  },
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as AddressInfo).port;
const baseUrl = `http://127.0.0.1:${port}`;

const [me] = config.meUser === false ? [] : await signUpMany(baseUrl, 1, "me");
const pool = await signUpMany(baseUrl, config.refreshSessions ?? 0, "refresh");
const accounts = await signUpMany(baseUrl, config.accounts ?? 0, "login");
// Audit and activity writes of the signups run off the request path; let them land before measuring.
await services.events.drain();

const info: TargetInfo = {
  port,
  accessToken: me?.accessToken ?? "",
  refreshTokens: pool.map((p) => p.refreshToken),
  emails: accounts.map((a) => a.email),
  hashingConcurrency: services.config.hashingConcurrency,
};
process.stdout.write(`${JSON.stringify(info)}\n`);

process.once("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => {
    void store.close().then(() => process.exit(0));
  });
});
