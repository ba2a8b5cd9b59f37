/**
 * Memory: what 100,000 distinct client IPs leave behind.
 * A server trusting one proxy hop gets `GET /trpc/auth.me` without a token,
 * each with its own X-Forwarded-For address: every request counts the
 * `default` rule for a new IP (one store entry) and is answered 401. RSS
 * before and after, after a forced GC, and after moving the server's clock
 * past the rule's windows and sweeping expired entries.
 */
import type autocannon from "autocannon";
import type { BenchContext, SectionResult } from "../context.js";
import { rssBytesOf, waitForIdle } from "../cpu.js";
import { runLoad } from "../load.js";
import { withTarget, type Target } from "../spawn-target.js";
import type { TargetStats } from "../target-server.js";
import { int, mb } from "../stats.js";

/** The `default` rule's window is 60 s and counters live two windows; a little more and they have all expired. */
const ADVANCE_SECONDS = 121;

interface Snapshot {
  label: string;
  rss: number | undefined;
  stats: TargetStats;
}

interface StoreResult {
  store: string;
  snapshots: Snapshot[];
  requestsPerSecond: number;
  gc: boolean;
}

const ipOf = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

async function measure(ctx: BenchContext, store: string, target: Target): Promise<StoreResult> {
  const snapshots: Snapshot[] = [];
  const snap = async (label: string): Promise<void> => {
    const snapshot = { label, rss: rssBytesOf(target.pid), stats: await target.stats() };
    snapshots.push(snapshot);
    const files = snapshot.stats.sqliteBytes;
    ctx.log(
      `4 ${store}: ${label}: RSS ${mb(snapshot.rss)}, ${snapshot.stats.entries ?? "?"} entries, heap ${mb(snapshot.stats.heapUsedBytes)}${files ? `, db ${mb(files.db)}, wal ${mb(files.wal)}` : ""}`,
    );
  };
  const gc = await target.gc();
  await waitForIdle(target.pid, 5);
  await target.gc();
  await snap("before (after GC)");

  let next = 0;
  const request: autocannon.Request = {
    method: "GET",
    path: "/trpc/auth.me",
    setupRequest: (req) => ({ ...req, headers: { ...req.headers, "x-forwarded-for": ipOf(next++) } }),
  };
  const m = ctx.check(
    `4 ${store}: ${int(ctx.settings.memoryRequests)} requests, one per client IP`,
    await runLoad({ url: target.url, connections: ctx.settings.connections, amount: ctx.settings.memoryRequests, requests: [request], serverPid: target.pid }),
    [401],
  );
  await waitForIdle(target.pid, 10);
  await snap("after the requests");
  await target.gc();
  await snap("after the requests, after GC");
  const advanced = await target.advanceClock(ADVANCE_SECONDS);
  ctx.log(`4 ${store}: clock moved ${ADVANCE_SECONDS} s forward, ${advanced.swept ?? "?"} expired entries swept`);
  await target.gc();
  await snap(`clock +${ADVANCE_SECONDS} s, swept, after GC`);
  return { store, snapshots, requestsPerSecond: m.requestsPerSecond, gc };
}

export async function memorySection(ctx: BenchContext): Promise<SectionResult> {
  const results: StoreResult[] = [];
  for (const store of ["memory", "sqlite"] as const) {
    ctx.log(`4 ${store}: starting server (shipped limits, trustProxy 1, --expose-gc)…`);
    const url = (await ctx.storeUrl(store, "memory"))!;
    results.push(await withTarget({ store: url, bcryptCost: 4, limits: "default", trustProxy: 1, meUser: false }, (target) => measure(ctx, store, target)));
  }
  const lines = [
    "## Bounded memory",
    "",
    `A server with the shipped limits and \`trustProxy: 1\` receives ${int(ctx.settings.memoryRequests)} \`GET /trpc/auth.me\` without a token from ${ctx.settings.connections} connections, ` +
      "each with its own `X-Forwarded-For` address (10.x.y.z): each counts the `default` rule (300/min per IP) for a new IP and is answered 401. " +
      "RSS is VmRSS from /proc/<pid>/status; entries are the store's own count (expired ones included); GC is a forced `global.gc()` (the server runs with --expose-gc). " +
      `Then the server's clock (injected, \`clock\` option) is moved ${ADVANCE_SECONDS} s forward, past the counters' two-window lifetime, and the store's sweep runs (it runs every 60 s on its own). One run per store.`,
    "",
    "| Store | Step | RSS | JS heap used | store entries | SQLite db file | SQLite WAL file |",
    "|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const result of results) {
    for (const s of result.snapshots) {
      const files = s.stats.sqliteBytes;
      lines.push(
        `| ${result.store} | ${s.label} | ${mb(s.rss)} | ${mb(s.stats.heapUsedBytes)} | ${s.stats.entries === undefined ? "n/a" : int(s.stats.entries)} | ` +
          `${files ? mb(files.db) : "n/a"} | ${files ? mb(files.wal) : "n/a"} |`,
      );
    }
  }
  lines.push("");
  for (const r of results) {
    const [before, , afterGc] = r.snapshots;
    const perEntry = ((afterGc!.stats.heapUsedBytes - before!.stats.heapUsedBytes) / (afterGc!.stats.entries ?? Number.NaN)).toFixed(0);
    lines.push(
      `- ${r.store}: ${int(r.requestsPerSecond)} req/s during the run; live JS heap after GC grew by ${mb(afterGc!.stats.heapUsedBytes - before!.stats.heapUsedBytes)} ` +
        `for ${int(afterGc!.stats.entries ?? Number.NaN)} entries (≈ ${perEntry} bytes each)${r.gc ? "" : " (no forced GC available)"}.`,
    );
  }
  return { markdown: lines.join("\n") };
}
