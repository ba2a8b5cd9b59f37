/**
 * Section 6 (issue: scale-out), better-auth as the peer: not implemented.
 * The one sanctioned install (`pnpm add -D better-auth --filter @gatehouse/bench`)
 * fails on this machine: better-auth 1.7 resolves kysely 0.29, which requires
 * Node ≥ 22, and the repository's .npmrc sets engine-strict. See BENCHMARKS.md.
 */
import type { BenchContext, SectionResult } from "../context.js";

export async function peerSection(ctx: BenchContext): Promise<SectionResult> {
  let installed = true;
  try {
    import.meta.resolve("better-auth");
  } catch {
    installed = false;
  }
  const why = installed
    ? "better-auth is installed, but the comparison is not written yet (it could not be developed against a working install)."
    : "better-auth is not installed: `pnpm add -D better-auth --filter @gatehouse/bench` fails on Node 20 because better-auth 1.7 resolves kysely 0.29 (engines: node ≥ 22) and .npmrc sets engine-strict=true.";
  ctx.log(`peer: skipped. ${why}`);
  return { markdown: `## Peer: better-auth\n\nSkipped. ${why} See BENCHMARKS.md for what would unblock it.` };
}
