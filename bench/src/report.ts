import type { Measurement } from "./load.js";

export type Endpoint = "bare" | "me" | "refresh";

export const ENDPOINT_LABELS: Record<Endpoint, string> = {
  bare: "`GET /bare/ping` (bare tRPC baseline)",
  me: "`GET /trpc/auth.me` (Bearer)",
  refresh: "`POST /trpc/auth.refresh` (token mode)",
};

export interface StoreResult {
  store: string;
  rounds: Record<Endpoint, Measurement[]>;
}

export const TARGET_RATIO = 0.6;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const int = (n: number): string => Math.round(n).toLocaleString("en-US");
const ms = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const pct = (n: number | undefined, digits = 0): string => (n === undefined ? "n/a" : `${(n * 100).toFixed(digits)} %`);

export const ratioOf = (result: StoreResult): number =>
  median(result.rounds.me.map((m) => m.requestsPerSecond)) / median(result.rounds.bare.map((m) => m.requestsPerSecond));

/** The results as markdown: one row per store and endpoint, then the headline ratio per store. */
export function markdownReport(results: readonly StoreResult[]): string {
  const lines = [
    "| Store | Endpoint | req/s (median) | p50 ms | p99 ms | req/s per round | non-2xx | errors | server CPU |",
    "|---|---|---:|---:|---:|---|---:|---:|---:|",
  ];
  for (const result of results) {
    for (const endpoint of ["bare", "me", "refresh"] as const) {
      const rounds = result.rounds[endpoint];
      if (rounds.length === 0) continue;
      const cpu = rounds.every((m) => m.serverCpu !== undefined) ? median(rounds.map((m) => m.serverCpu!)) : undefined;
      lines.push(
        `| ${result.store} | ${ENDPOINT_LABELS[endpoint]} | ${int(median(rounds.map((m) => m.requestsPerSecond)))} | ` +
          `${ms(median(rounds.map((m) => m.p50)))} | ${ms(median(rounds.map((m) => m.p99)))} | ` +
          `${rounds.map((m) => int(m.requestsPerSecond)).join(" / ")} | ` +
          `${rounds.reduce((n, m) => n + m.non2xx, 0)} | ${rounds.reduce((n, m) => n + m.errors, 0)} | ${pct(cpu)} |`,
      );
    }
  }
  lines.push("", "| Store | auth.me ÷ bare (medians) | per round | target | verdict |", "|---|---:|---|---:|---|");
  for (const result of results) {
    const ratio = ratioOf(result);
    const perRound = result.rounds.me.map((m, i) => pct(m.requestsPerSecond / result.rounds.bare[i]!.requestsPerSecond, 1)).join(" / ");
    lines.push(`| ${result.store} | ${pct(ratio, 1)} | ${perRound} | ${pct(TARGET_RATIO)} | ${ratio >= TARGET_RATIO ? "meets" : "below"} |`);
  }
  return lines.join("\n");
}
