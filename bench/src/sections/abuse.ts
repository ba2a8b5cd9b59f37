/**
 * Abuse protection:
 *  a. what one rejected (429) login costs the server, per store, next to
 *     tRPC's own floor for a rejected POST;
 *  b. auth.me latency while 50 connections flood auth.login for one email,
 *     with the shipped slow-down of hammering clients and without it;
 *  c. auth.me latency while valid logins saturate bcrypt at cost 12, and how
 *     many logins the bounded hashing queue sheds with 503 `overloaded`.
 */
import type autocannon from "autocannon";
import type { BenchContext, SectionResult } from "../context.js";
import { waitForIdle } from "../cpu.js";
import { runLoad, type LoadSpec, type Measurement } from "../load.js";
import { runPaced } from "../paced.js";
import { PASSWORD } from "../accounts.js";
import { withTarget, type Target } from "../spawn-target.js";
import type { StoreKind } from "../settings.js";
import type { TargetConfig } from "../target-server.js";
import { int, median, ms, pct, sum, verdict } from "../stats.js";

const VICTIM = "victim@example.com";
/** The per-email rule (login.email); login.ip stays out of reach so only the per-email rule refuses. */
const EMAIL_LIMIT = { max: 5, windowSeconds: 60 };
/** (b) and (c) run on the shipped default store. */
const ISOLATION_STORE: StoreKind = "sqlite";
/**
 * (c) on the shipped server (a shed login's 503 held 250 ms), then with that
 * hold off at the heavier level only, to show what the hold buys.
 */
const SATURATION_VARIANTS = [
  { label: "", slowDownMaxMs: undefined, levels: [16, 100] },
  { label: ", 503s not held (`slowDownMaxMs: 0`)", slowDownMaxMs: 0, levels: [100] },
] as const;

const FLOOD_BODY = JSON.stringify({ email: VICTIM, password: "guess-1234567" });
const loginRequest = (email: string, password: string): autocannon.Request => ({
  method: "POST",
  path: "/trpc/auth.login",
  headers: { "content-type": "application/json", "x-auth-mode": "token" },
  body: JSON.stringify({ email, password }),
});
const floodRequest = loginRequest(VICTIM, "guess-1234567");
const bareRejectRequest: autocannon.Request = { method: "POST", path: "/bare/reject", headers: { "content-type": "application/json" }, body: FLOOD_BODY };

interface RejectionRound {
  m: Measurement;
  cpuMsPerRequest: number;
}

const cpuMsPer = (m: Measurement): number => ((m.serverCpuSeconds ?? Number.NaN) * 1000) / m.responses;

/** Sends logins for the victim one by one until one is refused (the first 5 pass the limiter and fail on the password). */
async function fillEmailWindow(ctx: BenchContext, target: Target): Promise<void> {
  for (let i = 0; i < EMAIL_LIMIT.max + 5; i += 1) {
    const response = await fetch(`${target.url}/trpc/auth.login`, { method: "POST", headers: { "content-type": "application/json" }, body: FLOOD_BODY });
    await response.arrayBuffer();
    if (response.status === 429) return;
    if (response.status !== 401) ctx.fail(`filling the login.email window: HTTP ${response.status}`);
  }
  ctx.fail(`no 429 after ${EMAIL_LIMIT.max + 5} logins for one email`);
}

/** (a): flood rounds; with `bare`, each round is preceded by a round against the bare tRPC reject mutation. */
async function rejectedLoginCost(
  ctx: BenchContext,
  store: StoreKind,
  target: Target,
  bare: boolean,
): Promise<{ gatehouse: RejectionRound[]; bare: RejectionRound[] }> {
  const { connections, duration, rounds, warmup } = ctx.settings;
  await fillEmailWindow(ctx, target);
  const flood = (request: autocannon.Request, seconds: number) =>
    runLoad({ url: target.url, connections, duration: seconds, requests: [request], serverPid: target.pid });
  const results = { gatehouse: [] as RejectionRound[], bare: [] as RejectionRound[] };
  for (let round = 1; round <= rounds; round += 1) {
    if (bare) {
      if (warmup > 0) ctx.check(`2a: warm-up bare tRPC reject (${warmup} s)`, await flood(bareRejectRequest, warmup), [429]);
      const m = ctx.check(`2a: bare tRPC reject flood round ${round}/${rounds}`, await flood(bareRejectRequest, duration), [429]);
      ctx.log(`  → ${cpuMsPer(m).toFixed(3)} ms server CPU per rejected POST`);
      results.bare.push({ m, cpuMsPerRequest: cpuMsPer(m) });
    }
    if (warmup > 0) ctx.check(`2a ${store}: warm-up flood (${warmup} s)`, await flood(floodRequest, warmup), [429]);
    const m = ctx.check(`2a ${store}: rejected-login flood round ${round}/${rounds}`, await flood(floodRequest, duration), [429]);
    ctx.log(`  → ${cpuMsPer(m).toFixed(3)} ms server CPU per rejected login`);
    results.gatehouse.push({ m, cpuMsPerRequest: cpuMsPer(m) });
  }
  return results;
}

interface IsolationRound {
  probeAlone: Measurement;
  probeFlooded: Measurement;
  flood: Measurement;
  /** The probe during a flood of the bare tRPC reject mutation: what one event loop allows at best (only with `floor`). */
  probeBareFlooded?: Measurement;
  bareFlood?: Measurement;
  closedAlone: Measurement;
  closedFlooded: Measurement;
  closedFlood: Measurement;
}

/** (b): the paced probe and a closed-loop auth.me load, each alone and then with the flood running in the load child. */
async function isolation(ctx: BenchContext, target: Target, label: string, floor: boolean): Promise<IsolationRound[]> {
  const { connections, duration, rounds, meRate } = ctx.settings;
  const headers = { authorization: `Bearer ${target.accessToken}` };
  const probe = () => runPaced({ url: target.url, path: "/trpc/auth.me", headers, rate: meRate, duration, serverPid: target.pid });
  const closed = (seconds = duration) =>
    runLoad({
      url: target.url,
      connections,
      duration: seconds,
      requests: [{ method: "GET", path: "/trpc/auth.me", headers }],
      serverPid: target.pid,
      settleSeconds: 1,
    });
  const flood: LoadSpec = { url: target.url, connections, requests: [floodRequest] };
  const bareFlood: LoadSpec = { url: target.url, connections, requests: [bareRejectRequest] };
  ctx.check(`2b ${label}: auth.me warm-up (2 s)`, await closed(2), [200]);
  const results: IsolationRound[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    const probeAlone = ctx.check(`2b ${label}: auth.me paced at ${meRate}/s alone, round ${round}/${rounds}`, await probe(), [200]);
    const a = await ctx.concurrently(flood, 1, duration, probe);
    ctx.check(`2b ${label}: auth.me paced at ${meRate}/s during the flood, round ${round}/${rounds}`, a.foreground, [200]);
    ctx.check(`2b ${label}: the flood (load child)`, a.background, [429]);
    let bare: Pick<IsolationRound, "probeBareFlooded" | "bareFlood"> = {};
    if (floor) {
      const c = await ctx.concurrently(bareFlood, 1, duration, probe);
      ctx.check(`2b ${label}: auth.me paced at ${meRate}/s during a bare tRPC 429 flood, round ${round}/${rounds}`, c.foreground, [200]);
      ctx.check(`2b ${label}: the bare flood (load child)`, c.background, [429]);
      bare = { probeBareFlooded: c.foreground, bareFlood: c.background };
    }
    const closedAlone = ctx.check(`2b ${label}: auth.me closed loop (${connections} connections) alone, round ${round}/${rounds}`, await closed(), [200]);
    const b = await ctx.concurrently(flood, 1, duration, closed);
    ctx.check(`2b ${label}: auth.me closed loop during the flood, round ${round}/${rounds}`, b.foreground, [200]);
    ctx.check(`2b ${label}: the flood (load child)`, b.background, [429]);
    results.push({ probeAlone, probeFlooded: a.foreground, flood: a.background, ...bare, closedAlone, closedFlooded: b.foreground, closedFlood: b.background });
  }
  return results;
}

interface SaturationRound {
  probeAlone: Measurement;
  loaded: Array<{ connections: number; probe: Measurement; logins: Measurement; drainSeconds: number }>;
}

/** (c): the paced probe alone, then while `levels` connections send valid logins at cost 12. */
async function bcryptSaturation(ctx: BenchContext, target: Target, seconds: number, levels: readonly number[]): Promise<SaturationRound[]> {
  const { rounds, meRate } = ctx.settings;
  const headers = { authorization: `Bearer ${target.accessToken}` };
  const probe = (duration = seconds) => runPaced({ url: target.url, path: "/trpc/auth.me", headers, rate: meRate, duration, serverPid: target.pid });
  const logins = target.emails.map((email) => loginRequest(email, PASSWORD));
  ctx.check("2c: auth.me warm-up (2 s)", await probe(2), [200]);
  const results: SaturationRound[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    const probeAlone = ctx.check(`2c: auth.me paced at ${meRate}/s alone, round ${round}/${rounds}`, await probe(), [200]);
    const loaded: SaturationRound["loaded"] = [];
    for (const connections of levels) {
      const run = await ctx.concurrently({ url: target.url, connections, timeout: 60, requests: logins }, 1.5, seconds, probe);
      ctx.check(`2c: auth.me paced at ${meRate}/s during ${connections} connections of valid logins, round ${round}/${rounds}`, run.foreground, [200]);
      ctx.check(`2c: the logins (load child, ${connections} connections)`, run.background, [200, 503]);
      // Logins still queued when autocannon stops are still hashed; let them finish before the next run.
      const drainSeconds = await waitForIdle(target.pid);
      ctx.log(`  (server idle again after ${drainSeconds.toFixed(1)} s)`);
      loaded.push({ connections, probe: run.foreground, logins: run.background, drainSeconds });
    }
    results.push({ probeAlone, loaded });
  }
  return results;
}

const medianOf = <T>(items: readonly T[], pick: (item: T) => number): number => median(items.map(pick));

export async function abuseSection(ctx: BenchContext): Promise<SectionResult> {
  const { rounds, duration, connections, meRate } = ctx.settings;
  // (a) measures what a refusal costs, so its servers answer every refusal at once (no slow-down).
  const config = (store: string, extra: Partial<TargetConfig> = {}): TargetConfig => ({
    store,
    bcryptCost: 12,
    limits: "open",
    overrides: { "login.email": EMAIL_LIMIT },
    slowDownMaxMs: 0,
    ...extra,
  });

  // (a), with (b) on the isolation store's server
  const rejection = new Map<StoreKind, RejectionRound[]>();
  let bareRejection: RejectionRound[] = [];
  const skipped: string[] = [];
  let isoWithout: IsolationRound[] | undefined;
  for (const store of ctx.settings.stores) {
    const url = await ctx.storeUrl(store, "abuse");
    if (!url) {
      skipped.push(store);
      continue;
    }
    ctx.log(`2a ${store}: starting server (bcrypt 12, login.email 5/1m)…`);
    await withTarget(config(url), async (target) => {
      const result = await rejectedLoginCost(ctx, store, target, bareRejection.length === 0);
      rejection.set(store, result.gatehouse);
      if (result.bare.length) bareRejection = result.bare;
      if (store === ISOLATION_STORE) isoWithout = await isolation(ctx, target, "no slow-down", true);
    });
  }
  if (!isoWithout) {
    const url = (await ctx.storeUrl(ISOLATION_STORE, "abuse"))!;
    await withTarget(config(url), async (target) => {
      await fillEmailWindow(ctx, target);
      isoWithout = await isolation(ctx, target, "no slow-down", true);
    });
  }
  ctx.log("2b: starting server (sqlite, bcrypt 12, login.email 5/1m, the shipped slow-down)…");
  const isoWith = await withTarget(config((await ctx.storeUrl(ISOLATION_STORE, "slowdown"))!, { slowDownMaxMs: undefined }), async (target) => {
    await fillEmailWindow(ctx, target);
    return isolation(ctx, target, "slow-down", false);
  });

  // (c)
  const seconds = Math.max(duration, 5);
  let hashingConcurrency = 0;
  const saturation: SaturationRound[][] = [];
  for (const variant of SATURATION_VARIANTS) {
    ctx.log(`2c: starting server (sqlite, bcrypt 12, limits raised${variant.label}), signing up 8 users at cost 12…`);
    const store = (await ctx.storeUrl(ISOLATION_STORE, "saturation"))!;
    saturation.push(
      await withTarget(config(store, { overrides: {}, accounts: 8, slowDownMaxMs: variant.slowDownMaxMs }), (target) => {
        hashingConcurrency = target.hashingConcurrency;
        return bcryptSaturation(ctx, target, seconds, variant.levels);
      }),
    );
  }
  const [shipped] = saturation as [SaturationRound[]];

  const lines = [
    "## Abuse protection",
    "",
    "### a. Cost of a rejected login",
    "",
    `A flood of \`POST /trpc/auth.login\` for one email from ${connections} connections, every answer 429 \`rate_limited\` ` +
      `(login.email 5/1m, login.ip out of reach, bcrypt 12; the window was filled before measuring). ${duration} s per round, median of ${rounds}. ` +
      "CPU per rejected login = server process CPU time (/proc/<pid>/stat, all threads) over the round ÷ answers. " +
      "The first row is tRPC's own floor, measured on the first store's server in rounds alternating with the flood: a bare mutation " +
      "(`/bare/reject`, no middleware) that reads the same JSON body and throws TOO_MANY_REQUESTS.",
    "",
    "| Store | rejected req/s | p50 ms | p99 ms | server CPU | CPU ms per rejected login | per round | < 0.2 ms (scale-out) | < 1 ms |",
    "|---|---:|---:|---:|---:|---:|---|---|---|",
  ];
  const rejectionRow = (label: string, runs: RejectionRound[], judged: boolean) => {
    const cpu = medianOf(runs, (r) => r.cpuMsPerRequest);
    return (
      `| ${label} | ${int(medianOf(runs, (r) => r.m.requestsPerSecond))} | ${ms(medianOf(runs, (r) => r.m.latency.p50))} | ${ms(medianOf(runs, (r) => r.m.latency.p99))} | ` +
      `${pct(medianOf(runs, (r) => r.m.serverCpu ?? Number.NaN))} | ${cpu.toFixed(3)} | ${runs.map((r) => r.cpuMsPerRequest.toFixed(3)).join(" / ")} | ` +
      `${judged ? verdict(cpu < 0.2) : "—"} | ${judged ? verdict(cpu < 1) : "—"} |`
    );
  };
  if (bareRejection.length) lines.push(rejectionRow("bare tRPC 429 (floor, no store)", bareRejection, false));
  for (const [store, runs] of rejection) lines.push(rejectionRow(store, runs, true));
  if (skipped.length) lines.push("", `Skipped (store not reachable): ${skipped.join(", ")}.`);

  const isolationRow = (
    label: string,
    isolationRounds: IsolationRound[],
    alone: (r: IsolationRound) => Measurement,
    flooded: (r: IsolationRound) => Measurement,
    flood: (r: IsolationRound) => Measurement,
  ) => {
    const p99Alone = medianOf(isolationRounds, (r) => alone(r).latency.p99);
    const p99Flooded = medianOf(isolationRounds, (r) => flooded(r).latency.p99);
    return (
      `| ${label} | ${ms(medianOf(isolationRounds, (r) => alone(r).latency.p50))} | ${ms(p99Alone)} | ` +
      `${ms(medianOf(isolationRounds, (r) => flooded(r).latency.p50))} | ${ms(p99Flooded)} | ${(p99Flooded / p99Alone).toFixed(2)}× | ` +
      `${isolationRounds.map((r) => `${ms(alone(r).latency.p99)} → ${ms(flooded(r).latency.p99)}`).join(" / ")} | ` +
      `${int(medianOf(isolationRounds, (r) => alone(r).requestsPerSecond))} → ${int(medianOf(isolationRounds, (r) => flooded(r).requestsPerSecond))} | ` +
      `${int(medianOf(isolationRounds, (r) => flood(r).requestsPerSecond))} | ${verdict(p99Flooded <= 2 * p99Alone)} |`
    );
  };
  const without = isoWithout!;
  lines.push(
    "",
    "### b. Isolation: auth.me during a rejected-login flood",
    "",
    "Two SQLite servers: one with the shipped slow-down of clients hammering past a limit (refusals beyond twice the limit held up to 1 s; " +
      "the flood, all past the limit, is then held the full second), and the server of (a)'s SQLite row, which answers every refusal at once. " +
      `The flood (${connections} connections, all 429) runs in a separate autocannon process. ` +
      `auth.me is measured from the parent in two ways: a paced open-loop probe (${meRate} req/s, evenly spaced, each request timed from when it was due), ` +
      `and closed loop with autocannon at ${connections} connections. The probe opens its 32 keep-alive connections before it starts timing; ` +
      "the closed-loop latencies leave out requests sent in the first second (autocannon opens its connections then, and under a flood the handshakes take seconds). " +
      `Each measured run (${duration} s) starts 1 s after the flood; "alone" and "flooded" alternate; median of ${rounds} rounds. ` +
      "The floor row replaces the login flood with the same flood against `/bare/reject` (tRPC alone, no Gatehouse code).",
    "",
    "| auth.me load | p50 ms alone | p99 ms alone | p50 ms flooded | p99 ms flooded | p99 flooded ÷ alone | per round (p99 alone → flooded) | auth.me req/s alone → flooded | flood req/s | p99 within 2× |",
    "|---|---:|---:|---:|---:|---:|---|---|---:|---|",
    isolationRow(
      `paced, ${meRate} req/s (shipped: slow-down)`,
      isoWith,
      (r) => r.probeAlone,
      (r) => r.probeFlooded,
      (r) => r.flood,
    ),
    isolationRow(
      `closed loop, ${connections} connections (shipped: slow-down)`,
      isoWith,
      (r) => r.closedAlone,
      (r) => r.closedFlooded,
      (r) => r.closedFlood,
    ),
    isolationRow(
      `paced, ${meRate} req/s, no slow-down`,
      without,
      (r) => r.probeAlone,
      (r) => r.probeFlooded,
      (r) => r.flood,
    ),
    isolationRow(
      `paced, ${meRate} req/s, no slow-down — flood replaced by the bare tRPC 429 (floor)`,
      without,
      (r) => r.probeAlone,
      (r) => r.probeBareFlooded!,
      (r) => r.bareFlood!,
    ),
    isolationRow(
      `closed loop, ${connections} connections, no slow-down`,
      without,
      (r) => r.closedAlone,
      (r) => r.closedFlooded,
      (r) => r.closedFlood,
    ),
  );

  lines.push(
    "",
    "### c. auth.me while valid logins saturate bcrypt (cost 12)",
    "",
    `SQLite, a new server with bcrypt cost 12 and every limit raised; 8 accounts. auth.me is the paced probe (${meRate} req/s, ${seconds} s), ` +
      `alone and then while a separate autocannon process sends correct-password logins (cycling the 8 accounts) from 16 and from 100 connections, started 1.5 s earlier. ` +
      `The hashing queue runs ${hashingConcurrency} hashes at once (\`hashingConcurrency\`, default = cores) and holds 64 more; beyond that a login is refused with 503 \`overloaded\`, ` +
      "the answer held 250 ms as shipped (the last row: a second server with that hold off, answering at once). " +
      `After each loaded run the bench waits for the server to go idle (queued hashes finish). Median of ${rounds} rounds; login counts are summed over the rounds.`,
    "",
    "| Login connections | auth.me p50 ms | auth.me p99 ms | per round p99 | p99 < 50 ms | logins 200 | logins 503 `overloaded` | other | 200s per s | login 200 p50 ms | login 503 p50 ms |",
    "|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|",
    `| none | ${ms(medianOf(shipped, (r) => r.probeAlone.latency.p50))} | ${ms(medianOf(shipped, (r) => r.probeAlone.latency.p99))} | ` +
      `${shipped.map((r) => ms(r.probeAlone.latency.p99)).join(" / ")} | ${verdict(medianOf(shipped, (r) => r.probeAlone.latency.p99) < 50)} | | | | | | |`,
  );
  const rows = SATURATION_VARIANTS.flatMap((variant, v) =>
    variant.levels.map((level, i) => ({ label: `${level}${variant.label}`, runs: saturation[v]!.map((r) => r.loaded[i]!) })),
  );
  for (const { label, runs } of rows) {
    const p99 = medianOf(runs, (r) => r.probe.latency.p99);
    const count = (status: string) => sum(runs.map((r) => r.logins.statuses[status] ?? 0));
    const other = sum(runs.map((r) => r.logins.responses + r.logins.errors)) - count("200") - count("503");
    lines.push(
      `| ${label} | ${ms(medianOf(runs, (r) => r.probe.latency.p50))} | ${ms(p99)} | ${runs.map((r) => ms(r.probe.latency.p99)).join(" / ")} | ${verdict(p99 < 50)} | ` +
        `${int(count("200"))} | ${int(count("503"))} | ${int(other)} | ${medianOf(runs, (r) => (r.logins.statuses["200"] ?? 0) / r.logins.seconds).toFixed(1)} | ` +
        `${ms(medianOf(runs, (r) => r.logins.latencyByStatus["200"]?.p50 ?? Number.NaN))} | ${ms(medianOf(runs, (r) => r.logins.latencyByStatus["503"]?.p50 ?? Number.NaN))} |`,
    );
  }
  return { markdown: lines.join("\n") };
}
