/**
 * `pnpm bench`: auth.me against a bare tRPC query on the same server, and
 * auth.refresh, for the memory and SQLite stores. The server runs in a child
 * process; autocannon runs here. Progress on stderr, a markdown table on stdout.
 */
import { mkdtempSync, rmSync } from "node:fs";
import type autocannon from "autocannon";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { runLoad, type Measurement } from "./load.js";
import { createRefreshPool } from "./refresh-pool.js";
import { markdownReport, type Endpoint, type StoreResult } from "./report.js";
import { readSettings } from "./settings.js";
import { startTarget, type Target } from "./spawn-target.js";

const settings = readSettings();
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const NAMES: Record<Endpoint, string> = { bare: "bare ping", me: "auth.me", refresh: "auth.refresh" };
let failures = 0;

function describe(m: Measurement): string {
  const cpu = m.serverCpu === undefined ? "" : `, server CPU ${Math.round(m.serverCpu * 100)} %, load generator CPU ${Math.round(m.loadCpu * 100)} %`;
  const problems = m.non2xx || m.errors ? ` — ${m.non2xx} non-2xx, ${m.errors} errors` : "";
  return `  → ${Math.round(m.requestsPerSecond)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms${cpu}${problems}`;
}

async function benchStore(store: string, storeUrl: string): Promise<StoreResult> {
  const { connections, duration, rounds, warmup } = settings;
  // Each run can strand one token per connection (answers in flight when it stops).
  const sessions = connections * (2 * rounds + 2);
  log(`${store}: starting server (${storeUrl}), signing up ${sessions + 1} users…`);
  const target: Target = await startTarget(storeUrl, sessions);
  const pool = createRefreshPool(target.refreshTokens);
  const requests: Record<Endpoint, () => autocannon.Request> = {
    bare: () => ({ method: "GET", path: "/bare/ping" }),
    me: () => ({ method: "GET", path: "/trpc/auth.me", headers: { authorization: `Bearer ${target.accessToken}` } }),
    refresh: () => pool.request(),
  };
  const result: StoreResult = { store, rounds: { bare: [], me: [], refresh: [] } };
  const load = (endpoint: Endpoint, seconds: number) =>
    runLoad({ url: target.url, connections, duration: seconds, request: requests[endpoint](), serverPid: target.pid });

  const measure = async (endpoint: Endpoint, round: number): Promise<void> => {
    if (warmup > 0) {
      log(`${store}: warming up ${NAMES[endpoint]} (${warmup} s)…`);
      const warm = await load(endpoint, warmup);
      if (warm.non2xx || warm.errors) {
        failures += 1;
        log(`${store}: warm-up of ${NAMES[endpoint]} had ${warm.non2xx} non-2xx and ${warm.errors} errors`);
      }
    }
    log(`${store}: ${NAMES[endpoint]} round ${round}/${rounds}…`);
    const m = await load(endpoint, duration);
    log(describe(m));
    if (m.non2xx || m.errors) failures += 1;
    result.rounds[endpoint].push(m);
  };

  try {
    // Interleaved, so drift on a shared machine hits both sides of the ratio alike.
    for (let round = 1; round <= rounds; round += 1) {
      await measure("bare", round);
      await measure("me", round);
    }
    // Last: rotations grow the store, which should not weigh on the comparison above.
    for (let round = 1; round <= rounds; round += 1) await measure("refresh", round);
    log(`${store}: refresh pool ${pool.size()} unused tokens left, ${pool.exhausted()} requests found it empty`);
  } finally {
    await target.stop();
  }
  return result;
}

const sqliteDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-"));
const results: StoreResult[] = [];
try {
  log(`settings: ${settings.connections} connections, ${settings.duration} s × ${settings.rounds} rounds, ${settings.warmup} s warm-up before each`);
  results.push(await benchStore("memory", "memory://"));
  results.push(await benchStore("sqlite", `sqlite://${join(sqliteDir, "bench.db")}`));
} finally {
  rmSync(sqliteDir, { recursive: true, force: true });
}

process.stdout.write(
  [
    `Gatehouse benchmark, ${new Date().toISOString()} — node ${process.version}, ${availableParallelism()} CPUs; ` +
      `${settings.connections} connections, ${settings.duration} s per round, median of ${settings.rounds} rounds, ${settings.warmup} s warm-up before each.`,
    "",
    markdownReport(results),
    "",
  ].join("\n"),
);
if (failures > 0) {
  log(`${failures} run(s) had non-2xx responses or errors`);
  process.exitCode = 1;
}
