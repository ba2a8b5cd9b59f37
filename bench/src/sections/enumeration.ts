/**
 * Enumeration: does the answer time tell whether
 * an account exists? One request at a time, the two kinds strictly
 * alternating (and which goes first alternating too), timed in this process.
 */
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import type { BenchContext, SectionResult } from "../context.js";
import { withTarget, type Target } from "../spawn-target.js";
import { median, ms, summarize, type LatencySummary } from "../stats.js";

const LOGIN_WARMUP = 2;
const RESET_WARMUP = 20;

interface Pairing {
  a: LatencySummary;
  b: LatencySummary;
  aTimes: number[];
  bTimes: number[];
}

async function timed(ctx: BenchContext, target: Target, path: string, body: unknown, expected: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${target.url}/trpc/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (response.status !== expected) ctx.fail(`${path}: HTTP ${response.status}, expected ${expected}`);
  return elapsed;
}

async function interleave(pairs: number, warmup: number, a: (i: number) => Promise<number>, b: (i: number) => Promise<number>): Promise<Pairing> {
  const aTimes: number[] = [];
  const bTimes: number[] = [];
  for (let i = -warmup; i < pairs; i += 1) {
    const first = i % 2 === 0 ? a : b;
    const second = first === a ? b : a;
    const t1 = await first(i + warmup);
    const t2 = await second(i + warmup);
    if (i < 0) continue;
    (first === a ? aTimes : bTimes).push(t1);
    (second === a ? aTimes : bTimes).push(t2);
  }
  return { a: summarize(aTimes), b: summarize(bTimes), aTimes, bTimes };
}

export async function enumerationSection(ctx: BenchContext): Promise<SectionResult> {
  const { enumLogins, enumResets } = ctx.settings;
  ctx.log("5: starting server (sqlite, bcrypt 12, limits raised, outbox mailer), signing up 4 users at cost 12…");
  // With a mailer, a known email's reset token is issued and its mail written after the answer, as in production.
  const outboxDir = join(tmpdir(), `gatehouse-bench-outbox-${process.pid}`);
  let mails = 0;
  const { login, reset } = await withTarget(
    { store: (await ctx.storeUrl("sqlite", "enumeration"))!, bcryptCost: 12, limits: "open", accounts: 4, outboxDir },
    async (target) => {
      const known = (i: number) => target.emails[i % target.emails.length]!;
      ctx.log(`5: ${enumLogins} interleaved login pairs (unknown email / wrong password), one at a time…`);
      const login = await interleave(
        enumLogins,
        LOGIN_WARMUP,
        (i) => timed(ctx, target, "auth.login", { email: `nobody.${i}.${process.pid}@example.com`, password: `wrong password ${i}` }, 401),
        (i) => timed(ctx, target, "auth.login", { email: known(i), password: `wrong password ${i}` }, 401),
      );
      ctx.log(`  → unknown p50 ${login.a.p50.toFixed(2)} ms, wrong password p50 ${login.b.p50.toFixed(2)} ms`);
      ctx.log(`5: ${enumResets} interleaved reset-request pairs (unknown / known email)…`);
      const reset = await interleave(
        enumResets,
        RESET_WARMUP,
        (i) => timed(ctx, target, "auth.requestPasswordReset", { email: `nobody.reset.${i}.${process.pid}@example.com` }, 200),
        (i) => timed(ctx, target, "auth.requestPasswordReset", { email: known(i) }, 200),
      );
      ctx.log(`  → unknown p50 ${reset.a.p50.toFixed(3)} ms, known p50 ${reset.b.p50.toFixed(3)} ms`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      mails = readdirSync(outboxDir).filter((name) => name.endsWith(".json")).length;
      // One known-email request per pair, warm-up pairs included; no other mail is sent in this section.
      const expected = enumResets + RESET_WARMUP;
      if (mails !== expected) ctx.fail(`expected ${expected} reset mails in the outbox, found ${mails}`);
      return { login, reset };
    },
  );

  const row = (what: string, label: string, s: LatencySummary) =>
    `| ${what} | ${label} | ${s.count} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.mean)} |`;
  // Paired differences: each pair ran back to back, so drift on the machine cancels within a pair.
  const pairedMedian = (p: Pairing) => median(p.bTimes.map((b, i) => b - p.aTimes[i]!));
  rmSync(outboxDir, { recursive: true, force: true });
  const lines = [
    "## Enumeration timing",
    "",
    `SQLite, bcrypt cost 12, every limit raised (lockout included), 4 accounts, the outbox mail transport (${mails} reset mails written, one per known-email request). ` +
      "One request at a time from this process (fetch, keep-alive), timed " +
      `from send to the end of the body; unknown and known alternate request by request, and which comes first alternates too. ` +
      `auth.login: ${enumLogins} pairs (after ${LOGIN_WARMUP} unmeasured), all 401 \`invalid_credentials\`; auth.requestPasswordReset: ${enumResets} pairs (after ${RESET_WARMUP} unmeasured), all 200. ` +
      `With ${enumLogins} samples, p99 is the largest or second-largest.`,
    "",
    "| Procedure | Case | n | p50 ms | p90 ms | p99 ms | mean ms |",
    "|---|---|---:|---:|---:|---:|---:|",
    row("auth.login", "unknown email", login.a),
    row("auth.login", "known email, wrong password", login.b),
    row("auth.requestPasswordReset", "unknown email", reset.a),
    row("auth.requestPasswordReset", "known email", reset.b),
    "",
    "| Procedure | known − unknown, difference of medians | median of paired differences |",
    "|---|---:|---:|",
    `| auth.login | ${(login.b.p50 - login.a.p50).toFixed(2)} ms | ${pairedMedian(login).toFixed(2)} ms |`,
    `| auth.requestPasswordReset | ${(reset.b.p50 - reset.a.p50).toFixed(3)} ms | ${pairedMedian(reset).toFixed(3)} ms |`,
  ];
  return { markdown: lines.join("\n") };
}
