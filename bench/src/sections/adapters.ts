/**
 * Adapters — is the tRPC adapter itself the bottleneck? The bare tRPC router served by each
 * way available without new dependencies, each in its own process
 * (adapter-server.ts), under `GET /bare/ping` and `POST /bare/reject`.
 * Every variant's answers are first compared byte for byte with the
 * standalone adapter's. Rounds interleave the variants (the order rotates
 * each round) so drift on a shared machine hits them alike.
 */
import { readFileSync } from "node:fs";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { fileURLToPath } from "node:url";
import type autocannon from "autocannon";
import type { AdapterVariant } from "../adapter-server.js";
import { startChildServer } from "../child-server.js";
import type { BenchContext, SectionResult } from "../context.js";
import { runLoad, type Measurement } from "../load.js";
import { int, median, ms, pct } from "../stats.js";

const ENTRY = fileURLToPath(new URL("../adapter-server.ts", import.meta.url));

const VARIANTS: ReadonlyArray<{ id: AdapterVariant; label: string }> = [
  { id: "standalone", label: "standalone `createHTTPHandler` (shipped until 2026-11-23)" },
  { id: "node-http", label: "node-http `nodeHTTPRequestHandler`" },
  { id: "node-http-body", label: "node-http, body pre-read into `req.body`" },
  { id: "fetch", label: "fetch `fetchRequestHandler` via Gatehouse's bridge (ships)" },
  { id: "floor", label: "plain node:http, same bytes (floor, no tRPC)" },
];
const REFERENCE: AdapterVariant = "standalone";

type Call = "ping" | "reject";
const CALLS: Record<Call, { label: string; request: autocannon.Request; status: number }> = {
  ping: { label: "`GET /bare/ping`", request: { method: "GET", path: "/bare/ping" }, status: 200 },
  reject: {
    label: "`POST /bare/reject`",
    request: {
      method: "POST",
      path: "/bare/reject",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "victim@example.com", password: "guess-1234567" }),
    },
    status: 429,
  },
};

/** Headers that say nothing about the answer (or only about how it is framed). */
const FRAMING_HEADERS = new Set(["date", "connection", "keep-alive", "transfer-encoding", "content-length"]);

interface AdapterServer {
  variant: AdapterVariant;
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** Starts adapter-server.ts for one variant and waits for its JSON line. */
async function startAdapterServer(variant: AdapterVariant): Promise<AdapterServer> {
  const server = await startChildServer<{ port: number }>({
    entry: ENTRY,
    config: variant,
    name: `adapter server ${variant}`,
    // NODE_ENV=production: the bare router then leaves `stack` out of error bodies, as Gatehouse's router does (isDev: false).
    env: { ...process.env, NODE_ENV: "production" },
    // stdin stays open while the bench runs; the server exits when it closes (the bench died without stopping it).
    stdinPipe: true,
  });
  return { variant, pid: server.pid, url: `http://127.0.0.1:${server.info.port}`, stop: server.stop };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request over node:http, the raw answer. */
function fetchRaw(url: string, call: Call): Promise<Answer> {
  const { request } = CALLS[call];
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${request.path}`, { method: request.method, headers: request.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(request.body);
  });
}

const headerLine = (headers: IncomingHttpHeaders): string =>
  Object.entries(headers)
    .filter(([key]) => !FRAMING_HEADERS.has(key))
    .map(([key, value]) => `${key}: ${String(value)}`)
    .sort()
    .join("; ");

interface WireCheck {
  /** Status and body identical to the reference for both calls. */
  same: boolean;
  /** Non-framing header differences, for information. */
  headerNote: string;
}

/** Compares every variant's answers to the reference's, byte for byte. */
async function checkWire(ctx: BenchContext, servers: readonly AdapterServer[]): Promise<Map<AdapterVariant, WireCheck>> {
  const reference = servers.find((s) => s.variant === REFERENCE)!;
  const expected = new Map<Call, Answer>();
  for (const call of CALL_IDS) {
    const answer = await fetchRaw(reference.url, call);
    expected.set(call, answer);
    ctx.log(`wire: ${REFERENCE} ${call} → ${answer.status} ${answer.body.toString("utf8")} [${headerLine(answer.headers)}]`);
    if (answer.status !== CALLS[call].status) ctx.fail(`wire: ${REFERENCE} answered ${call} with HTTP ${answer.status}, expected ${CALLS[call].status}`);
  }
  const checks = new Map<AdapterVariant, WireCheck>();
  for (const server of servers) {
    let same = true;
    const headerNotes: string[] = [];
    for (const call of CALL_IDS) {
      const want = expected.get(call)!;
      const got = await fetchRaw(server.url, call);
      if (got.status !== want.status || !got.body.equals(want.body)) {
        same = false;
        ctx.fail(
          `wire: ${server.variant} ${call} answered HTTP ${got.status} ${got.body.toString("utf8")}, ${REFERENCE} HTTP ${want.status} ${want.body.toString("utf8")}`,
        );
      }
      if (headerLine(got.headers) !== headerLine(want.headers)) headerNotes.push(`${call}: ${headerLine(got.headers) || "(none)"}`);
    }
    ctx.log(
      `wire: ${server.variant} ${same ? "answers the same status and body bytes" : "DIFFERS"}${headerNotes.length ? `; headers differ (${headerNotes.join(" | ")})` : ""}`,
    );
    checks.set(server.variant, { same, headerNote: headerNotes.join("; ") });
  }
  return checks;
}

/** A measured run and the share of the machine's CPU time the hypervisor took (steal) meanwhile. */
interface Run extends Measurement {
  stolen: number | undefined;
}

/** Steal and total jiffies of all CPUs (/proc/stat), or undefined. */
function machineTicks(): { steal: number; total: number } | undefined {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    return { steal: fields[7] ?? 0, total: fields.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

/** runLoad (load.ts), plus the hypervisor's steal over the run. */
async function runMeasured(spec: { url: string; connections: number; duration: number; requests: autocannon.Request[]; serverPid: number }): Promise<Run> {
  const machineBefore = machineTicks();
  const measured = await runLoad({ ...spec, timeout: 10 });
  const machineAfter = machineTicks();
  return {
    ...measured,
    stolen: machineBefore && machineAfter ? (machineAfter.steal - machineBefore.steal) / (machineAfter.total - machineBefore.total) : undefined,
  };
}

/** A relative change as a signed percentage ("+12.3 %", "-4.5 %"). */
const change = (value: number, reference: number): string => `${value >= reference ? "+" : ""}${pct(value / reference - 1, 1)}`;

const CALL_IDS = Object.keys(CALLS) as Call[];
const sumOver = (value: (call: Call) => number): number => CALL_IDS.reduce((n, call) => n + value(call), 0);

/** Server CPU per answer, microseconds. */
const cpuMicros = (m: Measurement): number => ((m.serverCpuSeconds ?? Number.NaN) * 1e6) / m.responses;

export async function adaptersSection(ctx: BenchContext): Promise<SectionResult> {
  const { connections, duration, rounds, warmup } = ctx.settings;
  ctx.log(`starting ${VARIANTS.length} adapter servers…`);
  const servers: AdapterServer[] = [];
  try {
    for (const { id } of VARIANTS) servers.push(await startAdapterServer(id));
    const wire = await checkWire(ctx, servers);

    const runs = new Map<string, Run[]>();
    const key = (variant: AdapterVariant, call: Call): string => `${variant} ${call}`;
    for (let round = 1; round <= rounds; round += 1) {
      // Rotate the order so no variant always runs first (or right after the heaviest one).
      const order = VARIANTS.map((_, i) => servers[(i + round - 1) % servers.length]!);
      for (const server of order) {
        for (const call of CALL_IDS) {
          const { request, status } = CALLS[call];
          const load = (seconds: number) => runMeasured({ url: server.url, connections, duration: seconds, requests: [request], serverPid: server.pid });
          if (warmup > 0 && round === 1) ctx.check(`${server.variant}: warm-up ${call} (${warmup} s)`, await load(warmup), [status]);
          const run = await load(duration);
          ctx.check(`${server.variant}: ${call} round ${round}/${rounds}`, run, [status]);
          ctx.log(`  → ${cpuMicros(run).toFixed(0)} µs server CPU per answer; ${pct(run.stolen, 1)} of the machine's CPU time stolen by the hypervisor`);
          let list = runs.get(key(server.variant, call));
          if (!list) runs.set(key(server.variant, call), (list = []));
          list.push(run);
        }
      }
    }

    const of = (variant: AdapterVariant, call: Call): Run[] => runs.get(key(variant, call)) ?? [];
    const med = (variant: AdapterVariant, call: Call, pick: (m: Run) => number): number => median(of(variant, call).map(pick));
    const best = (variant: AdapterVariant, call: Call): number => Math.min(...of(variant, call).map(cpuMicros));
    const rps = (m: Run) => m.requestsPerSecond;
    const lines = [
      "## tRPC adapters: the same bare router served each way",
      "",
      `The bare router of the throughput section (\`ping\` query; \`reject\` mutation that parses its ${CALLS.reject.request.body!.length}-byte JSON body and throws TOO_MANY_REQUESTS), ` +
        "each variant in its own node:http server process (NODE_ENV=production, so no `stack` in error bodies, as Gatehouse's own router); autocannon from the bench process. " +
        `${connections} connections, ${duration} s per round, median of ${rounds} rounds, ${warmup} s unmeasured warm-up before each variant's and call's first round; ` +
        "variants interleave within each round, their order rotating from round to round. CPU/answer = the server process's CPU time (user + system, /proc) ÷ answers; " +
        '"best" = the round with the least CPU per answer (noise only adds cost, so it is the closest to the intrinsic cost). ' +
        "Stolen = share of the machine's CPU time the hypervisor gave to other guests during the run (/proc/stat steal), a measure of how noisy the host was. " +
        "Fetch variant: Gatehouse's own bridge (`createTrpcBridge`): body read first into a string, a Request with only the headers tRPC reads, no AbortSignal, answer buffered and written with `res.end`.",
      "",
      "| Call | Variant | req/s (median) | p50 ms | p99 ms | CPU µs/answer (median) | CPU µs/answer (best) | req/s per round | CPU µs/answer per round | server CPU | load gen CPU | stolen | same status + body bytes |",
      "|---|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---|",
    ];
    for (const call of CALL_IDS) {
      for (const { id, label } of VARIANTS) {
        const list = of(id, call);
        lines.push(
          `| ${CALLS[call].label} | ${label} | ${int(med(id, call, rps))} | ${ms(med(id, call, (m) => m.latency.p50))} | ${ms(med(id, call, (m) => m.latency.p99))} | ` +
            `${int(med(id, call, cpuMicros))} | ${int(best(id, call))} | ${list.map((m) => int(m.requestsPerSecond)).join(" / ")} | ${list.map((m) => int(cpuMicros(m))).join(" / ")} | ` +
            `${pct(med(id, call, (m) => m.serverCpu ?? Number.NaN))} | ${pct(med(id, call, (m) => m.loadCpu))} | ${pct(
              med(id, call, (m) => m.stolen ?? Number.NaN),
              1,
            )} | ` +
            `${wire.get(id)?.same ? "yes" : "**no**"} |`,
        );
      }
    }

    lines.push(
      "",
      `| Variant vs standalone | ${CALL_IDS.map((c) => `${CALLS[c].label} req/s (median) | ${CALLS[c].label} CPU/answer (median) | ${CALLS[c].label} CPU/answer (best)`).join(" | ")} |`,
      `|---|${CALL_IDS.map(() => "---:|---:|---:").join("|")}|`,
    );
    for (const { id, label } of VARIANTS) {
      if (id === REFERENCE) continue;
      const cells = CALL_IDS.map(
        (c) =>
          `${change(med(id, c, rps), med(REFERENCE, c, rps))} | ${change(med(id, c, cpuMicros), med(REFERENCE, c, cpuMicros))} | ${change(best(id, c), best(REFERENCE, c))}`,
      );
      lines.push(`| ${label} | ${cells.join(" | ")} |`);
    }

    // The cheapest tRPC variant by CPU per answer summed over both calls (throughput follows CPU while the server is the bottleneck).
    const trpcVariants = VARIANTS.filter((v) => v.id !== "floor" && wire.get(v.id)?.same);
    const cheapest = (cost: (id: AdapterVariant, call: Call) => number) =>
      [...trpcVariants].sort((a, b) => sumOver((c) => cost(a.id, c)) - sumOver((c) => cost(b.id, c)))[0];
    const byMedian = cheapest((id, c) => med(id, c, cpuMicros));
    const byBest = cheapest(best);
    lines.push("");
    if (byMedian && byBest) {
      lines.push(
        byMedian.id === byBest.id
          ? `Cheapest tRPC variant that answers the same bytes (CPU per answer over both calls, by median and by best round alike): **${byMedian.label}**.`
          : `Cheapest tRPC variant that answers the same bytes (CPU per answer over both calls): by median **${byMedian.label}**, by best round **${byBest.label}** — within the noise of this host.`,
      );
    }
    const floorShare = CALL_IDS.map((c) => `${CALLS[c].label} ${pct(med("floor", c, cpuMicros) / med(REFERENCE, c, cpuMicros), 0)}`).join(", ");
    lines.push(
      `The floor costs ${floorShare} of standalone's CPU per answer (medians); its req/s is bounded by autocannon (see its load generator CPU), not by the server.`,
    );
    const sameAll = VARIANTS.every((v) => wire.get(v.id)?.same);
    lines.push(
      sameAll
        ? `Wire format: every variant answered both calls with the same status and byte-for-byte the same body as the standalone adapter (checked before the runs).`
        : `Wire format: **not all variants answered like the standalone adapter** (see the last column).`,
    );
    const headerNotes = VARIANTS.filter((v) => wire.get(v.id)?.headerNote).map((v) => `${v.id}: ${wire.get(v.id)!.headerNote}`);
    if (headerNotes.length) lines.push(`Header differences (framing headers ignored): ${headerNotes.join(" — ")}.`);
    return { markdown: lines.join("\n") };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}
