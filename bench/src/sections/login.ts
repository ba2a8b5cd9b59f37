/**
 * Logins: logins per second at bcrypt cost 12 against
 * the hashing ceiling = hashes at once ÷ the time of one verification, the
 * latter timed inside the server process before every round.
 */
import type { BenchContext, SectionResult } from "../context.js";
import { waitForIdle } from "../cpu.js";
import { runLoad, type Measurement } from "../load.js";
import { PASSWORD } from "../accounts.js";
import { withTarget } from "../spawn-target.js";
import { median, ms, pct, verdict } from "../stats.js";

const CONNECTIONS = 16;
const TARGET = 0.85;

interface Round {
  /** One verification alone, ms (median of 3). */
  single: number;
  /** Two verifications started together, ms until both are done (median of 2). */
  pair: number;
  m: Measurement;
  ceiling: number;
}

export async function loginSection(ctx: BenchContext): Promise<SectionResult> {
  const { rounds } = ctx.settings;
  const seconds = Math.max(ctx.settings.duration, 8);
  ctx.log("3: starting server (sqlite, bcrypt 12, limits raised), signing up 16 users at cost 12…");
  let hashes = 0;
  const results = await withTarget(
    { store: (await ctx.storeUrl("sqlite", "login"))!, bcryptCost: 12, limits: "open", accounts: CONNECTIONS },
    async (target): Promise<Round[]> => {
      hashes = target.hashingConcurrency;
      const requests = target.emails.map((email) => ({
        method: "POST" as const,
        path: "/trpc/auth.login",
        headers: { "content-type": "application/json", "x-auth-mode": "token" },
        body: JSON.stringify({ email, password: PASSWORD }),
      }));
      const out: Round[] = [];
      for (let round = 1; round <= rounds; round += 1) {
        const single = median(await target.timeVerifications(3, 1));
        const pair = median(await target.timeVerifications(2, 2));
        const ceiling = hashes / (single / 1000);
        ctx.log(`3: one verification ${single.toFixed(1)} ms, two at once ${pair.toFixed(1)} ms → ceiling ${ceiling.toFixed(2)} logins/s`);
        const m = ctx.check(
          `3: logins, ${CONNECTIONS} connections, round ${round}/${rounds}`,
          await runLoad({ url: target.url, connections: CONNECTIONS, duration: seconds, timeout: 30, requests, serverPid: target.pid }),
          [200],
        );
        ctx.log(`  → steady ${m.steadyRequestsPerSecond.toFixed(2)} logins/s = ${pct(m.steadyRequestsPerSecond / ceiling, 1)} of the ceiling`);
        await waitForIdle(target.pid);
        out.push({ single, pair, m, ceiling });
      }
      return out;
    },
  );

  const rate = median(results.map((r) => r.m.steadyRequestsPerSecond));
  const single = median(results.map((r) => r.single));
  const pair = median(results.map((r) => r.pair));
  const ceiling = median(results.map((r) => r.ceiling));
  const share = median(results.map((r) => r.m.steadyRequestsPerSecond / r.ceiling));
  const lines = [
    "## Login throughput against the hashing ceiling",
    "",
    `SQLite, bcrypt cost 12, limits raised, ${CONNECTIONS} accounts; ${CONNECTIONS} connections send correct-password logins (token mode) for ${seconds} s per round. ` +
      `logins/s counts answers after the first second (ramp-up) ÷ the remaining time. Before each round the server process times, through its own ` +
      `\`services.passwords.verify\` (HMAC pre-hash + hashing queue + @node-rs/bcrypt), one verification alone (median of 3) and two started together (median of 2). ` +
      `Ceiling = ${hashes} hashes at once (cores = \`hashingConcurrency\`) ÷ one verification. Median of ${rounds} rounds.`,
    "",
    "| one verification ms | two at once ms | ceiling logins/s | logins/s | p50 ms | p99 ms | server CPU | share of ceiling | per round | ≥ 85 % (scale-out) |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    `| ${ms(single)} | ${ms(pair)} | ${ceiling.toFixed(2)} | ${rate.toFixed(2)} | ${ms(median(results.map((r) => r.m.latency.p50)))} | ${ms(median(results.map((r) => r.m.latency.p99)))} | ` +
      `${pct(median(results.map((r) => r.m.serverCpu ?? Number.NaN)))} | ${pct(share, 1)} | ${results.map((r) => pct(r.m.steadyRequestsPerSecond / r.ceiling, 1)).join(" / ")} | ${verdict(share >= TARGET)} |`,
  ];
  return { markdown: lines.join("\n") };
}
