/**
 * Growth: signups per second and the admin's first page of users at 0, 100k
 * and 1M users (BENCH_GROWTH_USERS), per store. The large points are seeded
 * straight through the store inside the server process (no HTTP, no bcrypt per
 * user); the measurements go over HTTP. Then, on Redis, two server processes
 * with 64 signups in flight each: failed calls and audit entries lost.
 */
import type autocannon from "autocannon";
import type { BenchContext, SectionResult } from "../context.js";
import { waitForIdle } from "../cpu.js";
import { runLoad, type Measurement } from "../load.js";
import { runPaced } from "../paced.js";
import { PASSWORD } from "../accounts.js";
import { flushRedisDatabase, redisUsedMemory } from "../redis.js";
import type { StoreKind } from "../settings.js";
import { startTarget, withTarget, type Target } from "../spawn-target.js";
import type { TargetConfig } from "../target-server.js";
import { int, median, ms, pct, verdict } from "../stats.js";

const SIGNUP_CONNECTIONS = 16;
const PAGE_LIMIT = 20;
const PAGE_RATE = 50;
const SEED_STEP = 50_000;
const TWO_INSTANCE_CONNECTIONS = 64;
const RATE_TARGET = 0.8;
const PAGE_TARGET = 2;

interface Point {
  users: number;
  seedSeconds: number | undefined;
  /** Store bytes per user seeded since the previous point. */
  bytesPerUser: number | undefined;
  signups: Measurement[];
  page: Measurement;
}

let signupCounter = 0;
const signupRequest = (label: string): autocannon.Request => ({
  method: "POST",
  path: "/trpc/auth.signup",
  headers: { "content-type": "application/json", "x-auth-mode": "token" },
  setupRequest: (req) => ({ ...req, body: JSON.stringify({ email: `growth.${label}.${(signupCounter += 1)}.${process.pid}@example.com`, password: PASSWORD }) }),
});

const targetConfig = (store: string): TargetConfig => ({ store, bcryptCost: 4, limits: "open", meUser: false, memoryMaxEntries: 50_000_000 });
// A million users in the memory store are a few GB of heap.
const NODE_ARGS = ["--max-old-space-size=12288"];

async function storeBytes(kind: StoreKind, target: Target, url: string): Promise<number | undefined> {
  if (kind === "redis") return redisUsedMemory(url);
  await target.gc();
  const stats = await target.stats();
  return kind === "sqlite" ? (stats.sqliteBytes ? stats.sqliteBytes.db + stats.sqliteBytes.wal : undefined) : stats.heapUsedBytes;
}

async function seedTo(ctx: BenchContext, kind: StoreKind, target: Target, users: number): Promise<number | undefined> {
  let current = (await target.growthStats(false)).users;
  if (current >= users) return undefined;
  const started = performance.now();
  while (current < users) {
    const step = Math.min(SEED_STEP, users - current);
    current = (await target.seed(step)).users;
    ctx.log(`growth ${kind}: seeded to ${int(current)} users (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  return (performance.now() - started) / 1000;
}

async function measurePoint(ctx: BenchContext, kind: StoreKind, target: Target, users: number, url: string, previous: { users: number; bytes: number | undefined }): Promise<Point> {
  const { duration, rounds, warmup } = ctx.settings;
  const seedSeconds = await seedTo(ctx, kind, target, users);
  await waitForIdle(target.pid, 10);
  const bytes = await storeBytes(kind, target, url);
  const seeded = (await target.growthStats(false)).users - previous.users;
  const bytesPerUser = bytes !== undefined && previous.bytes !== undefined && seeded > 0 ? (bytes - previous.bytes) / seeded : undefined;
  previous.users += seeded;
  previous.bytes = bytes;

  const label = `${kind}${users}`;
  const signup = (seconds: number) => runLoad({ url: target.url, connections: SIGNUP_CONNECTIONS, duration: seconds, timeout: 30, requests: [signupRequest(label)], serverPid: target.pid });
  if (warmup > 0) ctx.check(`growth ${kind} @${int(users)}: warm-up signups (${warmup} s)`, await signup(warmup), [200]);
  const signups: Measurement[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    const m = ctx.check(`growth ${kind} @${int(users)}: signups, ${SIGNUP_CONNECTIONS} connections, round ${round}/${rounds}`, await signup(duration), [200]);
    signups.push(m);
    await waitForIdle(target.pid, 5);
  }
  const token = await target.adminToken();
  const page = ctx.check(
    `growth ${kind} @${int(users)}: admin.listUsers first page (limit ${PAGE_LIMIT}), paced ${PAGE_RATE}/s`,
    await runPaced({
      url: target.url,
      path: `/trpc/admin.listUsers?input=${encodeURIComponent(JSON.stringify({ limit: PAGE_LIMIT }))}`,
      headers: { authorization: `Bearer ${token}` },
      rate: PAGE_RATE,
      duration,
      sockets: 4,
      serverPid: target.pid,
    }),
    [200],
  );
  return { users, seedSeconds, bytesPerUser, signups, page };
}

async function benchStore(ctx: BenchContext, kind: StoreKind): Promise<Point[] | undefined> {
  const url = await ctx.storeUrl(kind, "growth");
  if (!url) return undefined;
  const target = await startTarget(targetConfig(url), NODE_ARGS);
  try {
    const previous = { users: 0, bytes: await storeBytes(kind, target, url) };
    const points: Point[] = [];
    for (const users of ctx.settings.growthUsers) points.push(await measurePoint(ctx, kind, target, users, url, previous));
    return points;
  } finally {
    await target.stop();
  }
}

interface TwoInstances {
  calls: number;
  failed: number;
  ok: number;
  usersAdded: number;
  auditWritten: number;
  verification: { ok: boolean; checked: number; brokenAt?: number } | undefined;
  rate: number;
}

async function twoInstances(ctx: BenchContext): Promise<TwoInstances | undefined> {
  const url = ctx.settings.redisUrl;
  if (!(await flushRedisDatabase(url))) return undefined;
  const amount = ctx.settings.growthSignups;
  return withTarget(targetConfig(url), (a) =>
    withTarget(targetConfig(url), async (b) => {
      const before = await a.growthStats(false);
      const started = performance.now();
      const runs = await Promise.all(
        [a, b].map((target, i) =>
          runLoad({ url: target.url, connections: TWO_INSTANCE_CONNECTIONS, amount, timeout: 60, requests: [signupRequest(`two${i}`)], serverPid: target.pid }),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      runs.forEach((m, i) => ctx.check(`growth redis: instance ${i + 1} of 2, ${amount} signups, ${TWO_INSTANCE_CONNECTIONS} in flight`, m, [200]));
      const after = await a.growthStats(true);
      const ok = runs.reduce((n, m) => n + (m.statuses["200"] ?? 0), 0);
      const calls = runs.reduce((n, m) => n + m.responses + m.errors, 0);
      return { calls, ok, failed: calls - ok, usersAdded: after.users - before.users, auditWritten: after.auditLength - before.auditLength, verification: after.audit, rate: ok / seconds };
    }),
  );
}

function storeTable(kind: StoreKind, points: Point[]): string[] {
  const base = points[0]!;
  const rateOf = (p: Point) => median(p.signups.map((m) => m.steadyRequestsPerSecond));
  return points.map((p) => {
    const rate = rateOf(p);
    const rateShare = rate / rateOf(base);
    const pageRatio = p.page.latency.p50 / base.page.latency.p50;
    const checks = p === base ? "—" : `${verdict(rateShare >= RATE_TARGET)} / ${verdict(pageRatio <= PAGE_TARGET)}`;
    return (
      `| ${kind} | ${int(p.users)} | ${p.seedSeconds === undefined ? "—" : `${p.seedSeconds.toFixed(0)} s`} | ${p.bytesPerUser === undefined ? "—" : int(p.bytesPerUser)} | ` +
      `${int(rate)} | ${pct(rateShare)} | ${ms(p.page.latency.p50)} / ${ms(p.page.latency.p99)} | ${Number.isFinite(pageRatio) ? `${pageRatio.toFixed(2)}×` : "n/a"} | ${checks} |`
    );
  });
}

export async function growthSection(ctx: BenchContext): Promise<SectionResult> {
  const rows: string[] = [];
  for (const kind of ctx.settings.stores) {
    ctx.log(`growth: ${kind}, users at ${ctx.settings.growthUsers.map(int).join(", ")}`);
    const points = await benchStore(ctx, kind);
    if (points) rows.push(...storeTable(kind, points));
  }
  const two = ctx.settings.stores.includes("redis") ? await twoInstances(ctx) : undefined;
  const { duration, rounds } = ctx.settings;
  const lines = [
    "## Growth",
    "",
    `bcrypt 4, limits raised. At each user count: signups/s over HTTP (${SIGNUP_CONNECTIONS} connections, token mode, median of ${rounds} rounds of ${duration} s, ` +
      `answers after the first second), then \`admin.listUsers\` (limit ${PAGE_LIMIT}, newest first) paced at ${PAGE_RATE}/s for ${duration} s. ` +
      "Users beyond those signed up are seeded straight through the store (record, email claim, both user indexes). Bytes per user: what the " +
      "store grew by per user seeded since the previous point (memory: heap after GC; SQLite: database + WAL files; Redis: `used_memory`). " +
      `Targets: at the largest point ≥ ${pct(RATE_TARGET)} of the signups/s at 0, first page p50 within ${PAGE_TARGET}× its time at 0.`,
    "",
    "| Store | users | seeded in | bytes/user | signups/s | of the rate at 0 | first page p50 / p99 ms | p50 vs 0 | rate / page targets |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ...rows,
  ];
  if (two) {
    const lost = two.ok - two.auditWritten;
    lines.push(
      "",
      `Two server processes on one Redis, each sent ${int(ctx.settings.growthSignups)} signups with ${TWO_INSTANCE_CONNECTIONS} in flight at once:`,
      "",
      "| calls | failed | signups/s (both) | users added | audit entries written | lost | `admin.verifyAuditLog` | zero failed, zero lost |",
      "|---:|---:|---:|---:|---:|---:|---|---|",
      `| ${int(two.calls)} | ${int(two.failed)} | ${int(two.rate)} | ${int(two.usersAdded)} | ${int(two.auditWritten)} | ${int(lost)} | ` +
        `${two.verification ? `ok ${two.verification.ok}, checked ${int(two.verification.checked)}` : "n/a"} | ${verdict(two.failed === 0 && lost === 0 && two.usersAdded === two.ok)} |`,
    );
  }
  return { markdown: lines.join("\n") };
}
