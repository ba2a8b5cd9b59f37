/**
 * `pnpm bench:compare <other checkout>`: this tree against another checkout of
 * Gatehouse (installed and built), e.g. a worktree of the last release. Both
 * target servers run at once and are loaded in turn, pair by pair (the order
 * alternating), so drift on a shared machine hits both sides of a pair alike.
 * Reports, per store and endpoint, the median pair's ratio (this ÷ other).
 * Uses BENCH_STORES, BENCH_PAIRS, BENCH_DURATION, BENCH_CONNECTIONS, BENCH_REDIS_URL
 * (the other tree gets the next database number) and BENCH_POSTGRES_URL (each tree
 * gets a database of its own; each gets its own local Redis Cluster); markdown on stdout.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startChildServer, type ChildServer } from "./child-server.js";
import { runLoad } from "./load.js";
import { flushRedisDatabase } from "./redis.js";
import { readSettings, type StoreKind } from "./settings.js";
import { createStoreProvider } from "./stores.js";
import { int, median, pct } from "./stats.js";
import type { TargetConfig, TargetInfo } from "./target-server.js";

const ENDPOINTS = { me: "/trpc/auth.me", bare: "/bare/ping" } as const;
type Endpoint = keyof typeof ENDPOINTS;

const other = process.argv[2];
// pnpm runs the script in bench/; a relative path means relative to where the command was typed.
const otherEntry = other && join(resolve(process.env.INIT_CWD ?? process.cwd(), other), "bench/src/target-server.ts");
if (!otherEntry || !existsSync(otherEntry)) {
  process.stderr.write("usage: pnpm bench:compare <path to another Gatehouse checkout, installed and built>\n");
  process.exit(2);
}
const ownEntry = fileURLToPath(new URL("./target-server.ts", import.meta.url));
const settings = readSettings();
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const tmp = mkdtempSync(join(tmpdir(), "gatehouse-compare-"));
const provider = createStoreProvider(settings, tmp, log);

function nextDatabase(url: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${Number(parsed.pathname.slice(1) || 0) + 1}`;
  return parsed.toString();
}

async function storeUrls(store: StoreKind): Promise<[string, string] | undefined> {
  if (store === "memory") return ["memory://", "memory://"];
  if (store === "sqlite") return [`sqlite://${join(tmp, "this.db")}`, `sqlite://${join(tmp, "other.db")}`];
  if (store === "redis") {
    const urls: [string, string] = [settings.redisUrl, nextDatabase(settings.redisUrl)];
    if ((await Promise.all(urls.map((url) => flushRedisDatabase(url)))).every(Boolean)) return urls;
    log(`redis: ${settings.redisUrl} does not answer (or refused FLUSHDB): skipped.`);
    return undefined;
  }
  const own = await provider.url(store, "this");
  const others = own && (await provider.url(store, "other"));
  return own && others ? [own, others] : undefined;
}

const start = (entry: string, store: string): Promise<ChildServer<TargetInfo>> =>
  startChildServer<TargetInfo>({ entry, config: { store, bcryptCost: 4, limits: "open" } satisfies TargetConfig, name: `target ${entry}` });

const lines = [
  `## This tree ÷ ${other}`,
  "",
  `${settings.connections} connections, ${settings.pairs} pairs of ${settings.duration} s rounds per row, both servers up throughout and loaded in turn.`,
  "",
  "| Store | Endpoint | this req/s (median) | other req/s (median) | this ÷ other (median pair) | per pair |",
  "|---|---|---:|---:|---:|---|",
];
try {
  for (const store of settings.stores) {
    const urls = await storeUrls(store);
    if (!urls) continue;
    const servers = [await start(ownEntry, urls[0]), await start(otherEntry, urls[1])] as const;
    try {
      for (const endpoint of Object.keys(ENDPOINTS) as Endpoint[]) {
        const load = async (server: ChildServer<TargetInfo>, seconds: number): Promise<number> => {
          const headers = endpoint === "me" ? { authorization: `Bearer ${server.info.accessToken}` } : undefined;
          const m = await runLoad({
            url: `http://127.0.0.1:${server.info.port}`,
            connections: settings.connections,
            duration: seconds,
            requests: [{ method: "GET", path: ENDPOINTS[endpoint], headers }],
          });
          if (m.errors > 0 || (m.statuses["200"] ?? 0) !== m.responses)
            throw new Error(`${store} ${endpoint}: unexpected answers ${JSON.stringify(m.statuses)}, ${m.errors} errors`);
          return m.requestsPerSecond;
        };
        for (const server of servers) await load(server, Math.max(1, settings.warmup));
        const own: number[] = [];
        const others: number[] = [];
        for (let pair = 1; pair <= settings.pairs; pair += 1) {
          const order = pair % 2 === 1 ? [0, 1] : [1, 0];
          for (const side of order) (side === 0 ? own : others).push(await load(servers[side]!, settings.duration));
          log(`${store} ${endpoint} pair ${pair}/${settings.pairs}: this ${int(own.at(-1)!)} req/s, other ${int(others.at(-1)!)} req/s`);
        }
        const ratios = own.map((value, i) => value / others[i]!);
        lines.push(
          `| ${store} | \`${ENDPOINTS[endpoint]}\` | ${int(median(own))} | ${int(median(others))} | ${pct(median(ratios), 1)} | ${ratios.map((r) => pct(r, 0)).join(" / ")} |`,
        );
      }
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  }
  process.stdout.write(`${lines.join("\n")}\n`);
} finally {
  await provider.close();
  rmSync(tmp, { recursive: true, force: true });
}
