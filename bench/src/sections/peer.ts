/**
 * Against a peer: Gatehouse against the peer better-auth on the
 * same machine and under the same load, in interleaved rounds.
 * (1) Session check: Gatehouse `auth.me` (Bearer; memory and SQLite stores,
 *     bcrypt 4) against better-auth `GET /api/auth/get-session` (session
 *     cookie; its memory adapter), at the throughput connections.
 * (2) Sign-in at bcrypt cost 12 through the same library (@node-rs/bcrypt):
 *     Gatehouse `auth.login` against better-auth `POST /api/auth/sign-in/email`,
 *     16 connections cycling over a few accounts.
 * Each server runs in its own child process; autocannon runs here.
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type autocannon from "autocannon";
import type { BenchContext, SectionResult } from "../context.js";
import { waitForIdle } from "../cpu.js";
import { runLoad, type LoadSpec, type Measurement } from "../load.js";
import { PASSWORD } from "../accounts.js";
import { startPeer, type Peer } from "../peer/spawn-peer.js";
import { API_PREFIX } from "../peer/protocol.js";
import { startTarget, type Target } from "../spawn-target.js";
import type { StoreKind } from "../settings.js";
import { int, median, ms, pct, verdict } from "../stats.js";

/** Gatehouse auth.me req/s ÷ better-auth get-session req/s, at least. */
const SESSION_TARGET = 2.5;
/** Gatehouse logins/s ÷ better-auth sign-ins/s, at least ("within 10 %"; faster is not a miss). */
const SIGNIN_TARGET = 0.9;
const SIGNIN_COST = 12;
const SIGNIN_CONNECTIONS = 16;
const SIGNIN_ACCOUNTS = 8;

const STORE_NAMES: Record<StoreKind, string> = { memory: "memory", sqlite: "SQLite", redis: "Redis", postgres: "Postgres", "redis-cluster": "Redis Cluster" };

/** CPU seconds the whole machine has spent busy (all cores; /proc/stat), or undefined where unavailable. */
function machineBusySeconds(): number | undefined {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
  } catch {
    return undefined;
  }
}

/** Shares of one core that processes other than the server and this load generator used during each kept measured run. */
const othersCpu: number[] = [];
/** Between runs nothing of the bench's is busy, so the machine counts as quiet under this share of one core… */
const QUIET = 0.1;
/** …and a run during which other processes used more than this share of one core is repeated, */
const NOISY = 0.25;
/** at most this many times in the section. */
const MAX_REPEATS = 4;
const noise = { repeated: 0, waitedSeconds: 0 };

/** Waits until the whole machine has been under QUIET for two consecutive 300 ms periods, or `maxSeconds` passed; returns the seconds waited. */
async function waitForQuietMachine(maxSeconds = 30): Promise<number> {
  const started = performance.now();
  const first = machineBusySeconds();
  if (first === undefined) return 0;
  let before: number = first;
  let quiet = 0;
  while (quiet < 2 && performance.now() - started < maxSeconds * 1000) {
    await sleep(300);
    const now: number = machineBusySeconds() ?? before;
    quiet = now - before <= QUIET * 0.3 ? quiet + 1 : 0;
    before = now;
  }
  return (performance.now() - started) / 1000;
}

/**
 * One measured run: runLoad, checked for answers other than 200, on a quiet machine. Other processes' CPU
 * during the run is noted (another benchmark or a build at the same time would skew the comparison), and
 * a run they disturbed is repeated, within MAX_REPEATS for the section.
 */
async function measure(ctx: BenchContext, label: string, spec: LoadSpec): Promise<Measurement> {
  for (;;) {
    const waited = await waitForQuietMachine();
    if (waited > 1) {
      noise.waitedSeconds += waited;
      ctx.log(`  (waited ${waited.toFixed(1)} s for other processes to go quiet)`);
    }
    const before = machineBusySeconds();
    const m = ctx.check(label, await runLoad(spec), [200]);
    const after = machineBusySeconds();
    if (before === undefined || after === undefined || m.serverCpuSeconds === undefined) return m;
    const others = Math.max(0, after - before - m.serverCpuSeconds - m.loadCpu * m.seconds) / m.seconds;
    ctx.log(`  (other processes: ${pct(others)} of a core)`);
    if (others > NOISY && noise.repeated < MAX_REPEATS) {
      noise.repeated += 1;
      ctx.log(`  (disturbed: repeating the run, ${noise.repeated}/${MAX_REPEATS})`);
      continue;
    }
    othersCpu.push(others);
    return m;
  }
}

interface Side {
  /** Row label. */
  name: string;
  request: string;
  pid: number;
  /** The request autocannon cycles through, per connection. */
  requests: autocannon.Request[];
  url: string;
  /** For a Gatehouse store, the store; undefined for better-auth. */
  store?: StoreKind;
  /** better-auth's version; undefined for Gatehouse. */
  version?: string;
  /** Checked after every run: an invalid cookie still gets 200 from get-session (with `null`). */
  stillValid?: () => Promise<boolean>;
  timeVerification?: () => Promise<number>;
  stop(): Promise<void>;
  runs: Measurement[];
  /** Sign-in: one verification alone inside the server before each round, ms (median of 3). */
  verifications: number[];
}

/** Gatehouse stores in this comparison: memory and SQLite among BENCH_STORES (Redis has no counterpart in the peer). */
function gatehouseStores(ctx: BenchContext): StoreKind[] {
  const stores = ctx.settings.stores.filter((s): s is "memory" | "sqlite" => s === "memory" || s === "sqlite");
  return stores.length > 0 ? stores : ["memory"];
}

function gatehouseSide(target: Target, store: StoreKind, request: string, requests: autocannon.Request[]): Side {
  return {
    name: `Gatehouse, ${STORE_NAMES[store]} store`,
    request,
    pid: target.pid,
    url: target.url,
    requests,
    store,
    timeVerification: async () => median(await target.timeVerifications(3, 1)),
    stop: () => target.stop(),
    runs: [],
    verifications: [],
  };
}

function peerSide(peer: Peer, request: string, requests: autocannon.Request[]): Side {
  return {
    name: `better-auth ${peer.version}, memory adapter`,
    request,
    pid: peer.pid,
    url: peer.url,
    requests,
    version: peer.version,
    stillValid: () => peer.sessionValid(),
    timeVerification: async () => median(await peer.timeVerifications(3, 1)),
    stop: () => peer.stop(),
    runs: [],
    verifications: [],
  };
}

/** Starts every server (sequentially: setup hashing is CPU-bound), runs `body`, stops them all. */
async function withSides(starters: Array<() => Promise<Side>>, body: (sides: Side[]) => Promise<void>): Promise<Side[]> {
  const sides: Side[] = [];
  try {
    for (const start of starters) sides.push(await start());
    await body(sides);
    return sides;
  } finally {
    for (const side of sides) await side.stop();
  }
}

/** Round r runs the sides in an order rotated by r - 1, so no side is always first after a switch. */
const rotated = <T>(items: readonly T[], by: number): T[] => items.map((_, i) => items[(i + by) % items.length]!);

async function sessionCheck(ctx: BenchContext): Promise<Side[]> {
  const { connections, duration, rounds, warmup } = ctx.settings;
  const starters: Array<() => Promise<Side>> = [];
  for (const store of gatehouseStores(ctx)) {
    starters.push(async () => {
      ctx.log(`peer 1: starting Gatehouse (${store}, bcrypt 4, limits raised)…`);
      const target = await startTarget({ store: (await ctx.storeUrl(store, "peer"))!, bcryptCost: 4, limits: "open" });
      return gatehouseSide(target, store, "`GET /trpc/auth.me` (Bearer)", [
        { method: "GET", path: "/trpc/auth.me", headers: { authorization: `Bearer ${target.accessToken}` } },
      ]);
    });
  }
  starters.push(async () => {
    ctx.log("peer 1: starting better-auth (memory adapter, bcrypt 4, limiter raised)…");
    const peer = await startPeer({ bcryptCost: 4 });
    if (!(await peer.sessionValid())) ctx.fail("better-auth: get-session does not answer with the session user before the runs");
    return peerSide(peer, `\`GET ${API_PREFIX}/get-session\` (cookie)`, [
      { method: "GET", path: `${API_PREFIX}/get-session`, headers: { cookie: peer.sessionCookie } },
    ]);
  });

  return withSides(starters, async (sides) => {
    const spec = (side: Side, seconds: number): LoadSpec => ({ url: side.url, connections, duration: seconds, requests: side.requests, serverPid: side.pid });
    for (let round = 1; round <= rounds; round += 1) {
      for (const side of rotated(sides, round - 1)) {
        if (warmup > 0 && round === 1) ctx.check(`peer 1: ${side.name}: warm-up (${warmup} s)`, await runLoad(spec(side, warmup)), [200]);
        side.runs.push(await measure(ctx, `peer 1: ${side.name}: round ${round}/${rounds}`, spec(side, duration)));
        if (side.stillValid && !(await side.stillValid())) ctx.fail(`${side.name}: get-session no longer answers with the session user after round ${round}`);
      }
    }
  });
}

async function signIn(ctx: BenchContext): Promise<{ sides: Side[]; seconds: number }> {
  const { rounds } = ctx.settings;
  // Sign-ins come a few per second: longer rounds than the session check's, or each would count only a few dozen answers.
  const seconds = Math.max(2 * ctx.settings.duration, 10);
  const starters: Array<() => Promise<Side>> = [];
  for (const store of gatehouseStores(ctx)) {
    starters.push(async () => {
      ctx.log(`peer 2: starting Gatehouse (${store}, bcrypt ${SIGNIN_COST}, limits raised), signing up ${SIGNIN_ACCOUNTS} users…`);
      const target = await startTarget({
        store: (await ctx.storeUrl(store, "peer"))!,
        bcryptCost: SIGNIN_COST,
        limits: "open",
        accounts: SIGNIN_ACCOUNTS,
        meUser: false,
      });
      return gatehouseSide(
        target,
        store,
        "`POST /trpc/auth.login` (token mode)",
        target.emails.map((email) => ({
          method: "POST" as const,
          path: "/trpc/auth.login",
          headers: { "content-type": "application/json", "x-auth-mode": "token" },
          body: JSON.stringify({ email, password: PASSWORD }),
        })),
      );
    });
  }
  starters.push(async () => {
    ctx.log(`peer 2: starting better-auth (memory adapter, bcrypt ${SIGNIN_COST}, limiter raised), signing up ${SIGNIN_ACCOUNTS} users…`);
    const peer = await startPeer({ bcryptCost: SIGNIN_COST, accounts: SIGNIN_ACCOUNTS, sessionUser: false });
    return peerSide(
      peer,
      `\`POST ${API_PREFIX}/sign-in/email\``,
      peer.emails.map((email) => ({
        method: "POST" as const,
        path: `${API_PREFIX}/sign-in/email`,
        headers: { "content-type": "application/json", origin: peer.url },
        body: JSON.stringify({ email, password: PASSWORD }),
      })),
    );
  });

  const sides = await withSides(starters, async (all) => {
    for (let round = 1; round <= rounds; round += 1) {
      for (const side of rotated(all, round - 1)) {
        const single = await side.timeVerification!();
        side.verifications.push(single);
        ctx.log(`peer 2: ${side.name}: one verification ${single.toFixed(1)} ms`);
        const m = await measure(ctx, `peer 2: ${side.name}: sign-ins, ${SIGNIN_CONNECTIONS} connections, round ${round}/${rounds}`, {
          url: side.url,
          connections: SIGNIN_CONNECTIONS,
          duration: seconds,
          timeout: 30,
          requests: side.requests,
          serverPid: side.pid,
        });
        ctx.log(`  → steady ${m.steadyRequestsPerSecond.toFixed(2)} sign-ins/s`);
        side.runs.push(m);
        // Hashes still queued when the load stopped must not spill into the next side's run.
        await waitForIdle(side.pid);
      }
    }
  });
  return { sides, seconds };
}

const non2xx = (runs: Measurement[]): number => runs.reduce((n, m) => n + m.responses - (m.statuses["200"] ?? 0), 0);
const errors = (runs: Measurement[]): number => runs.reduce((n, m) => n + m.errors, 0);
const cpuPerRequest = (runs: Measurement[]): string => {
  const perRequest = median(runs.map((m) => (m.serverCpuSeconds ?? Number.NaN) / m.responses));
  return Number.isFinite(perRequest) ? ms(perRequest * 1000) : "n/a";
};

export async function peerSection(ctx: BenchContext): Promise<SectionResult> {
  const { connections, duration, rounds, warmup } = ctx.settings;
  othersCpu.length = 0;
  noise.repeated = 0;
  noise.waitedSeconds = 0;
  const session = await sessionCheck(ctx);
  const { sides: signin, seconds } = await signIn(ctx);
  const peerOf = (sides: Side[]): Side => sides.find((s) => s.store === undefined)!;
  const version = peerOf(session).version!;

  const lines = [
    `## Peer: better-auth ${version}`,
    "",
    "### Session check",
    "",
    `${connections} connections, ${duration} s per round, median of ${rounds} rounds, ${warmup} s unmeasured warm-up before each server's first round; ` +
      "the servers take turns within each round (order rotated every round). req/s = answers ÷ wall time; p50/p99 over every answer; " +
      "server CPU = share of one core used by the server process; CPU ms/req = its CPU time ÷ answers.",
    "",
    "| Server | Request | req/s (median) | p50 ms | p99 ms | req/s per round | non-2xx | errors | server CPU | CPU ms/req |",
    "|---|---|---:|---:|---:|---|---:|---:|---:|---:|",
  ];
  const row = (side: Side, rate: (m: Measurement) => number, digits: (n: number) => string, extra = ""): string =>
    `| ${side.name} | ${side.request} | ${extra}${digits(median(side.runs.map(rate)))} | ${ms(median(side.runs.map((m) => m.latency.p50)))} | ` +
    `${ms(median(side.runs.map((m) => m.latency.p99)))} | ${side.runs.map((m) => digits(rate(m))).join(" / ")} | ${non2xx(side.runs)} | ${errors(side.runs)} | ` +
    `${pct(median(side.runs.map((m) => m.serverCpu ?? Number.NaN)))} | ${cpuPerRequest(side.runs)} |`;
  const perSecond = (m: Measurement): number => m.requestsPerSecond;
  for (const side of session) lines.push(row(side, perSecond, int));

  const ratioRows = (sides: Side[], rate: (m: Measurement) => number, target: number, times: boolean): string[] => {
    const peer = peerOf(sides);
    const format = (r: number): string => (times ? `${r.toFixed(2)}×` : pct(r, 1));
    return sides
      .filter((s) => s.store !== undefined)
      .map((side) => {
        const ratio = median(side.runs.map(rate)) / median(peer.runs.map(rate));
        const perRound = side.runs.map((m, i) => format(rate(m) / rate(peer.runs[i]!))).join(" / ");
        return `| ${STORE_NAMES[side.store!]} | ${format(ratio)} | ${perRound} | ${verdict(ratio >= target)} |`;
      });
  };
  lines.push(
    "",
    `| Gatehouse store | auth.me ÷ get-session (medians) | per round | ≥ ${SESSION_TARGET}× (scale-out) |`,
    "|---|---:|---|---|",
    ...ratioRows(session, perSecond, SESSION_TARGET, true),
  );

  const steady = (m: Measurement): number => m.steadyRequestsPerSecond;
  const twoDecimals = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : "n/a");
  lines.push(
    "",
    "### Sign-in at equal hashing cost",
    "",
    `bcrypt cost ${SIGNIN_COST} on both sides through @node-rs/bcrypt; ${SIGNIN_ACCOUNTS} accounts per server, ${SIGNIN_CONNECTIONS} connections cycling over them ` +
      `with correct passwords for ${seconds} s per round, median of ${rounds} rounds, servers taking turns (order rotated every round) and each left to go idle ` +
      "before the next. sign-ins/s counts answers after the first second (ramp-up) ÷ the remaining time. Before each of its rounds every server times one " +
      "password verification alone inside its own process (median of 3; Gatehouse through `services.passwords.verify`, better-auth through the configured `verify`).",
    "",
    "| Server | Request | one verification ms | sign-ins/s (median) | p50 ms | p99 ms | sign-ins/s per round | non-2xx | errors | server CPU | CPU ms/req |",
    "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|",
  );
  for (const side of signin) lines.push(row(side, steady, twoDecimals, `${ms(median(side.verifications))} | `));
  lines.push(
    "",
    `| Gatehouse store | auth.login ÷ sign-in/email (medians) | per round | ≥ ${pct(SIGNIN_TARGET)} (scale-out: within 10 %) |`,
    "|---|---:|---|---|",
    ...ratioRows(signin, steady, SIGNIN_TARGET, false),
  );

  lines.push(
    "",
    "Method notes:",
    "",
    `- better-auth ${version} is pinned as a dev dependency of the bench only; it runs on node:http through its \`toNodeHandler\` with its built-in ` +
      "memory adapter (`better-auth/adapters/memory`, arrays scanned per query) and `NODE_ENV=production`, defaults otherwise (no cookie cache, so every " +
      "get-session reads the session and user from the adapter; telemetry off; errors-only logging). Gatehouse runs as in the other sections " +
      "(`createGatehouseServer`, memory or SQLite store).",
    "- Passwords: better-auth's `emailAndPassword.password.{hash,verify}` call @node-rs/bcrypt at the same cost as Gatehouse (4 for the session check, where no " +
      `hashing happens during the runs; ${SIGNIN_COST} for sign-in). Gatehouse additionally HMAC-pre-hashes the password and bounds concurrent hashes to the ` +
      "cores; better-auth's hashes run on the libuv pool (4 threads) unbounded. The one-verification column shows the per-hash cost is the same.",
    "- Limits: Gatehouse's rules are all raised to 10⁹ per 60 s (its limiter runs but never refuses). better-auth's rate limiter is enabled with memory " +
      "storage, window 60 s and max 10⁹, its built-in sign-in/sign-up special rules replaced by the same; the server sets `X-Forwarded-For` to the " +
      "socket address (no proxy in front) because better-auth takes the client IP from headers only and otherwise skips limiting.",
    "- Answers checked: every run must answer only 200. Since better-auth's get-session answers 200 with `null` for an unknown cookie, the session is " +
      "checked to still resolve to its user after every run. Sign-in requests carry an `Origin` of the server itself (as a browser would); better-auth's CSRF/origin " +
      "check passes them.",
    "- Both sides share the 2 cores with the load generator (autocannon in the bench process), so absolute rates are machine-bound; the ratios come from " +
      "interleaved rounds on the same machine. The sign-in ratio counts Gatehouse faster than better-auth as met (the target guards against being slower).",
  );
  if (othersCpu.length > 0) {
    lines.push(
      `- Other processes: before each measured run the bench waits (up to 30 s) until the machine is quiet (under ${pct(QUIET)} of a core busy), ` +
        `and it repeats a run during which other processes used more than ${pct(NOISY)} of a core (at most ${MAX_REPEATS} repeats per section). ` +
        `This run: ${noise.repeated} run(s) repeated, ${noise.waitedSeconds.toFixed(0)} s spent waiting; during the kept runs other processes used a median ` +
        `${pct(median(othersCpu), 1)} and at most ${pct(Math.max(...othersCpu), 1)} of one core (machine-wide busy time from /proc/stat minus the server and the load generator).`,
    );
  }
  return { markdown: lines.join("\n") };
}
