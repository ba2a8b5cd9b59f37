/**
 * Growth: signups per second and the admin's first page of users at 0, 100k
 * and 1M users (BENCH_GROWTH_USERS), per store. The large points are seeded
 * straight through the store inside the server process (no HTTP, no bcrypt per
 * user); the measurements go over HTTP. Each is paired with the same
 * measurement, just before or after it, on a second server whose store stays
 * (nearly) empty, so a shared machine's drift hits both sides of a pair alike.
 * Then, on Redis, two server processes with 64 signups in flight each: failed
 * calls and audit entries lost.
 */
import type autocannon from "autocannon";
import type { BenchContext, SectionResult } from "../context.js";
import { waitForIdle } from "../cpu.js";
import { runLoad, type Measurement } from "../load.js";
import { runPaced } from "../paced.js";
import { PASSWORD } from "../accounts.js";
import { redisUsedMemory } from "../redis.js";
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

interface Side {
  signups: Measurement[];
  pages: Measurement[];
}

interface Point {
  users: number;
  seedSeconds: number | undefined;
  /** Store bytes per user seeded since the previous point. */
  bytesPerUser: number | undefined;
  grown: Side;
  empty: Side;
}

let signupCounter = 0;
const signupRequest = (label: string): autocannon.Request => ({
  method: "POST",
  path: "/trpc/auth.signup",
  headers: { "content-type": "application/json", "x-auth-mode": "token" },
  setupRequest: (req) => ({
    ...req,
    body: JSON.stringify({ email: `growth.${label}.${(signupCounter += 1)}.${process.pid}@example.com`, password: PASSWORD }),
  }),
});

const targetConfig = (store: string, prefix: string): TargetConfig => ({
  store,
  prefix,
  bcryptCost: 4,
  limits: "open",
  meUser: false,
  memoryMaxEntries: 50_000_000,
});
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

async function measurePoint(
  ctx: BenchContext,
  kind: StoreKind,
  grown: Target,
  empty: Target,
  users: number,
  url: string,
  previous: { users: number; bytes: number | undefined },
): Promise<Point> {
  const { duration, rounds, warmup } = ctx.settings;
  const seedSeconds = await seedTo(ctx, kind, grown, users);
  await waitForIdle(grown.pid, 10);
  const bytes = await storeBytes(kind, grown, url);
  const seeded = (await grown.growthStats(false)).users - previous.users;
  const bytesPerUser = bytes !== undefined && previous.bytes !== undefined && seeded > 0 ? (bytes - previous.bytes) / seeded : undefined;
  previous.users += seeded;
  previous.bytes = bytes;

  const at = `growth ${kind} @${int(users)}`;
  const signup = (target: Target, seconds: number) =>
    runLoad({
      url: target.url,
      connections: SIGNUP_CONNECTIONS,
      duration: seconds,
      timeout: 30,
      requests: [signupRequest(`${kind}${users}`)],
      serverPid: target.pid,
    });
  const page = async (target: Target) =>
    runPaced({
      url: target.url,
      path: `/trpc/admin.listUsers?input=${encodeURIComponent(JSON.stringify({ limit: PAGE_LIMIT }))}`,
      headers: { authorization: `Bearer ${await target.adminToken()}` },
      rate: PAGE_RATE,
      duration,
      sockets: 4,
      serverPid: target.pid,
    });
  const sides = new Map<Target, [string, Side]>([
    [grown, [`${int(users)} users`, { signups: [], pages: [] }]],
    [empty, ["empty store", { signups: [], pages: [] }]],
  ]);
  if (warmup > 0) for (const [target, [name]] of sides) ctx.check(`${at}: warm-up signups, ${name} (${warmup} s)`, await signup(target, warmup), [200]);
  for (let round = 1; round <= rounds; round += 1) {
    // Alternating which side goes first keeps a steady drift from favouring either.
    const order = round % 2 === 1 ? [grown, empty] : [empty, grown];
    for (const target of order) {
      const [name, side] = sides.get(target)!;
      side.signups.push(
        ctx.check(`${at}: signups, ${name}, ${SIGNUP_CONNECTIONS} connections, round ${round}/${rounds}`, await signup(target, duration), [200]),
      );
      await waitForIdle(target.pid, 5);
    }
    for (const target of order) {
      const [name, side] = sides.get(target)!;
      side.pages.push(
        ctx.check(
          `${at}: admin.listUsers first page (limit ${PAGE_LIMIT}), ${name}, paced ${PAGE_RATE}/s, round ${round}/${rounds}`,
          await page(target),
          [200],
        ),
      );
    }
  }
  return { users, seedSeconds, bytesPerUser, grown: sides.get(grown)![1], empty: sides.get(empty)![1] };
}

async function benchStore(ctx: BenchContext, kind: StoreKind): Promise<Point[] | undefined> {
  const url = await ctx.storeUrl(kind, "growth");
  if (!url) return undefined;
  // On Redis both servers share the database under different key prefixes; SQLite gets a file each.
  const emptyUrl = kind === "sqlite" ? (await ctx.storeUrl(kind, "growth-empty"))! : url;
  const grown = await startTarget(targetConfig(url, "grown:"), NODE_ARGS);
  const empty = await startTarget(targetConfig(emptyUrl, "empty:"));
  try {
    const previous = { users: 0, bytes: await storeBytes(kind, grown, url) };
    const points: Point[] = [];
    for (const users of ctx.settings.growthUsers) points.push(await measurePoint(ctx, kind, grown, empty, users, url, previous));
    return points;
  } finally {
    await Promise.all([grown.stop(), empty.stop()]);
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
  const url = await ctx.storeUrl("redis", "growth-two");
  if (!url) return undefined;
  const amount = ctx.settings.growthSignups;
  // The same store, as two instances behind one load balancer have.
  return withTarget(targetConfig(url, "two:"), (a) =>
    withTarget(targetConfig(url, "two:"), async (b) => {
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
      return {
        calls,
        ok,
        failed: calls - ok,
        usersAdded: after.users - before.users,
        auditWritten: after.auditLength - before.auditLength,
        verification: after.audit,
        rate: ok / seconds,
      };
    }),
  );
}

const rate = (m: Measurement): number => m.steadyRequestsPerSecond;
/** Server CPU per answer, ms: the cost of a call, steadier than throughput on a shared machine. */
const cpuPerCall = (m: Measurement): number => ((m.serverCpuSeconds ?? Number.NaN) * 1000) / m.responses;
/** The median over rounds of grown ÷ empty, each pair measured back to back. */
const pairedRatio = (grown: Measurement[], empty: Measurement[], of: (m: Measurement) => number): number => median(grown.map((m, i) => of(m) / of(empty[i]!)));

function storeTable(kind: StoreKind, points: Point[]): string[] {
  return points.map((p) => {
    const rateShare = pairedRatio(p.grown.signups, p.empty.signups, rate);
    const pageRatio = pairedRatio(p.grown.pages, p.empty.pages, (m) => m.latency.p50);
    const p50 = (side: Side) => median(side.pages.map((m) => m.latency.p50));
    return (
      `| ${kind} | ${int(p.users)} | ${p.seedSeconds === undefined ? "—" : `${p.seedSeconds.toFixed(0)} s`} | ${p.bytesPerUser === undefined ? "—" : int(p.bytesPerUser)} | ` +
      `${int(median(p.grown.signups.map(rate)))} / ${int(median(p.empty.signups.map(rate)))} | ${pct(rateShare)} | ` +
      `${ms(median(p.grown.signups.map(cpuPerCall)))} / ${ms(median(p.empty.signups.map(cpuPerCall)))} | ` +
      `${ms(p50(p.grown))} / ${ms(p50(p.empty))} | ${pageRatio.toFixed(2)}× | ${ms(median(p.grown.pages.map((m) => m.latency.p99)))} | ` +
      `${p.users === 0 ? "—" : `${verdict(rateShare >= RATE_TARGET)} / ${verdict(pageRatio <= PAGE_TARGET)}`} |`
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
    `bcrypt 4, limits raised. At each user count, ${rounds} rounds, each measured on the grown store and, just before or after it, on a ` +
      `second server whose store starts empty (order alternating): signups/s over HTTP (${SIGNUP_CONNECTIONS} connections, token mode, ${duration} s, ` +
      `answers after the first second), then \`admin.listUsers\` (limit ${PAGE_LIMIT}, newest first) paced at ${PAGE_RATE}/s for ${duration} s. ` +
      "Ratios are the median over rounds of grown ÷ empty; server CPU ms per signup is the server process's CPU time over a round ÷ its answers " +
      "(median), the cost of a call, which a busy shared machine disturbs less than the rate. Users beyond those signed up are seeded straight through the store (record, email " +
      "claim, both user indexes). Bytes per user: what the store grew by per user seeded since the previous point (memory: heap after GC; " +
      "SQLite: database + WAL files; Redis: `used_memory`). " +
      `Targets: ≥ ${pct(RATE_TARGET)} of the signups/s of the empty store, first page p50 within ${PAGE_TARGET}× the empty store's.`,
    "",
    "| Store | users | seeded in | bytes/user | signups/s grown / empty | grown ÷ empty | server CPU ms per signup grown / empty | first page p50 ms grown / empty | grown ÷ empty | p99 ms grown | rate / page targets |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
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
