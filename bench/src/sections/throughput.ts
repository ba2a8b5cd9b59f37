/**
 * Throughput: auth.me against a bare tRPC query on the same server, and
 * auth.refresh, per store. The ratio comes from pairs of adjacent rounds (one
 * bare, one auth.me, the order alternating), so drift on a shared machine hits
 * both sides of a pair alike; the median pair's ratio is the verdict.
 */
import type autocannon from "autocannon";
import type { BenchContext, SectionResult } from "../context.js";
import { runLoad, type Measurement } from "../load.js";
import { createRefreshPool } from "../refresh-pool.js";
import { withTarget } from "../spawn-target.js";
import type { StoreKind } from "../settings.js";
import { int, median, ms, pct, verdict } from "../stats.js";

type Endpoint = "bare" | "me" | "refresh";

const LABELS: Record<Endpoint, string> = {
  bare: "`GET /bare/ping` (bare tRPC baseline)",
  me: "`GET /trpc/auth.me` (Bearer)",
  refresh: "`POST /trpc/auth.refresh` (token mode)",
};

/** auth.me keeps at least this share of a bare tRPC query's requests/s (BENCHMARKS.md, "Targets"). */
const RATIO_TARGET = 0.7;

interface StoreResult {
  store: StoreKind;
  rounds: Record<Endpoint, Measurement[]>;
  leftover?: string;
}

async function benchStore(ctx: BenchContext, store: StoreKind, storeUrl: string, withMe: boolean, withRefresh: boolean): Promise<StoreResult> {
  const { connections, duration, rounds, pairs, warmup } = ctx.settings;
  // Each run can strand one token per connection (answers in flight when it stops).
  const sessions = withRefresh ? connections * (2 * rounds + 2) : 0;
  ctx.log(`${store}: starting server, signing up ${sessions + 1} users…`);
  return withTarget({ store: storeUrl, bcryptCost: 4, limits: "open", refreshSessions: sessions }, async (target) => {
    const pool = createRefreshPool(target.refreshTokens);
    const requests: Record<Endpoint, () => autocannon.Request> = {
      bare: () => ({ method: "GET", path: "/bare/ping" }),
      me: () => ({ method: "GET", path: "/trpc/auth.me", headers: { authorization: `Bearer ${target.accessToken}` } }),
      refresh: () => pool.request(),
    };
    const result: StoreResult = { store, rounds: { bare: [], me: [], refresh: [] } };
    const load = (endpoint: Endpoint, seconds: number) =>
      runLoad({ url: target.url, connections, duration: seconds, requests: [requests[endpoint]()], serverPid: target.pid });
    const measure = async (endpoint: Endpoint, round: number, of: number): Promise<void> => {
      if (warmup > 0 && round === 1) ctx.check(`${store}: warm-up ${endpoint} (${warmup} s)`, await load(endpoint, warmup), [200]);
      result.rounds[endpoint].push(ctx.check(`${store}: ${endpoint} round ${round}/${of}`, await load(endpoint, duration), [200]));
    };
    if (withMe) {
      for (let pair = 1; pair <= pairs; pair += 1) {
        // Alternating which side goes first keeps a steady drift from favouring either.
        for (const endpoint of pair % 2 === 1 ? (["bare", "me"] as const) : (["me", "bare"] as const)) await measure(endpoint, pair, pairs);
      }
    }
    // Last: rotations grow the store, which should not weigh on the comparison above.
    if (withRefresh) {
      for (let round = 1; round <= rounds; round += 1) await measure("refresh", round, rounds);
      result.leftover = `${pool.size()} unused refresh tokens left, ${pool.exhausted()} requests found the pool empty`;
      ctx.log(`${store}: ${result.leftover}`);
    }
    return result;
  });
}

export async function throughputSection(ctx: BenchContext): Promise<SectionResult> {
  const withMe = ctx.settings.only.has("me");
  const withRefresh = ctx.settings.only.has("refresh");
  const results: StoreResult[] = [];
  const skipped: string[] = [];
  for (const store of ctx.settings.stores) {
    const url = await ctx.storeUrl(store, "throughput");
    if (!url) {
      skipped.push(store);
      continue;
    }
    results.push(await benchStore(ctx, store, url, withMe, withRefresh));
  }

  const { connections, duration, rounds, pairs, warmup } = ctx.settings;
  const lines = [
    "## auth.me and auth.refresh throughput",
    "",
    `${connections} connections, ${duration} s per round, ${pairs} adjacent bare/auth.me pairs (order alternating) and ${rounds} auth.refresh rounds, ` +
      `${warmup} s unmeasured warm-up before each endpoint's first round. req/s = answers ÷ wall time (median round); p50/p99 over every answer.`,
    "",
    "| Store | Endpoint | req/s (median) | p50 ms | p99 ms | req/s per round | non-2xx | errors | server CPU |",
    "|---|---|---:|---:|---:|---|---:|---:|---:|",
  ];
  for (const result of results) {
    for (const endpoint of ["bare", "me", "refresh"] as const) {
      const runs = result.rounds[endpoint];
      if (runs.length === 0) continue;
      const non2xx = runs.reduce((n, m) => n + m.responses - (m.statuses["200"] ?? 0), 0);
      lines.push(
        `| ${result.store} | ${LABELS[endpoint]} | ${int(median(runs.map((m) => m.requestsPerSecond)))} | ` +
          `${ms(median(runs.map((m) => m.latency.p50)))} | ${ms(median(runs.map((m) => m.latency.p99)))} | ` +
          `${runs.map((m) => int(m.requestsPerSecond)).join(" / ")} | ${non2xx} | ${runs.reduce((n, m) => n + m.errors, 0)} | ` +
          `${pct(median(runs.map((m) => m.serverCpu ?? Number.NaN)))} |`,
      );
    }
  }
  if (withMe && results.length > 0) {
    lines.push("", "| Store | auth.me ÷ bare (median pair) | per pair | ratio of median req/s | ≥ 70 % |", "|---|---:|---|---:|---|");
    for (const result of results) {
      const pairRatios = result.rounds.me.map((m, i) => m.requestsPerSecond / result.rounds.bare[i]!.requestsPerSecond);
      const ratio = median(pairRatios);
      const ofMedians = median(result.rounds.me.map((m) => m.requestsPerSecond)) / median(result.rounds.bare.map((m) => m.requestsPerSecond));
      lines.push(
        `| ${result.store} | ${pct(ratio, 1)} | ${pairRatios.map((r) => pct(r, 0)).join(" / ")} | ${pct(ofMedians, 1)} | ` +
          `${verdict(ratio >= RATIO_TARGET)} |`,
      );
    }
  }
  for (const result of results) if (result.leftover) lines.push("", `${result.store}: ${result.leftover}.`);
  if (skipped.length) lines.push("", `Skipped (store not reachable): ${skipped.join(", ")}.`);
  return { markdown: lines.join("\n") };
}
