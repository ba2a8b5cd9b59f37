/**
 * `pnpm bench`: every section in BENCH_ONLY (default all) — me, refresh,
 * abuse, login, memory, enumeration, peer, adapters, growth. Each server under test runs in a
 * child process; autocannon runs here (and, for concurrent loads, in a second
 * child). Progress on stderr, markdown tables on stdout. The exit code is
 * non-zero only for unexpected answers or errors, never for a missed target.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { createContext, type BenchContext, type SectionResult } from "./context.js";
import { flushRedisDatabase } from "./redis.js";
import { abuseSection } from "./sections/abuse.js";
import { adaptersSection } from "./sections/adapters.js";
import { enumerationSection } from "./sections/enumeration.js";
import { growthSection } from "./sections/growth.js";
import { loginSection } from "./sections/login.js";
import { memorySection } from "./sections/memory.js";
import { peerSection } from "./sections/peer.js";
import { throughputSection } from "./sections/throughput.js";
import { readSettings, type Section } from "./settings.js";

const settings = readSettings();
const tmp = mkdtempSync(join(tmpdir(), "gatehouse-bench-"));
const ctx = createContext(settings, tmp);

const plan: Array<{ sections: Section[]; name: string; run: (ctx: BenchContext) => Promise<SectionResult> }> = [
  { sections: ["me", "refresh"], name: "throughput", run: throughputSection },
  { sections: ["abuse"], name: "abuse", run: abuseSection },
  { sections: ["login"], name: "login", run: loginSection },
  { sections: ["memory"], name: "memory", run: memorySection },
  { sections: ["enumeration"], name: "enumeration", run: enumerationSection },
  { sections: ["peer"], name: "peer", run: peerSection },
  { sections: ["adapters"], name: "adapters", run: adaptersSection },
  { sections: ["growth"], name: "growth", run: growthSection },
];

const started = performance.now();
const outputs: string[] = [];
let crashed = false;
ctx.log(
  `sections: ${[...settings.only].join(", ")}; stores: ${settings.stores.join(", ")}; ${settings.connections} connections, ` +
    `${settings.duration} s × ${settings.rounds} rounds (${settings.pairs} bare/auth.me pairs), ${settings.warmup} s warm-up`,
);
try {
  for (const step of plan) {
    if (!step.sections.some((s) => settings.only.has(s))) continue;
    const sectionStarted = performance.now();
    ctx.log(`\n=== ${step.name} ===`);
    try {
      const result = await step.run(ctx);
      const took = (performance.now() - sectionStarted) / 1000;
      outputs.push(`${result.markdown}\n\n_(${step.name}: ${took.toFixed(0)} s)_`);
      ctx.log(`=== ${step.name} done in ${took.toFixed(0)} s ===`);
    } catch (error) {
      crashed = true;
      ctx.log(`✗ section ${step.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      outputs.push(`## ${step.name}\n\nFailed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
} finally {
  await ctx.close();
  if (settings.stores.includes("redis")) await flushRedisDatabase(settings.redisUrl);
  rmSync(tmp, { recursive: true, force: true });
}

const total = (performance.now() - started) / 1000;
process.stdout.write(
  [
    `Gatehouse benchmark, ${new Date().toISOString()} — node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? "?"}), ` +
      `${(totalmem() / 1024 ** 3).toFixed(0)} GB RAM; total ${Math.round(total)} s.`,
    "",
    outputs.join("\n\n"),
    "",
  ].join("\n"),
);
if (crashed || ctx.failures() > 0) {
  ctx.log(`${ctx.failures()} run(s) with unexpected answers or errors${crashed ? "; a section failed" : ""}`);
  process.exitCode = 1;
}
