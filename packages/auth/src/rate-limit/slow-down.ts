import type { Context } from "../context.js";
import type { WindowDecision } from "./sliding-window.js";

// Refusals up to twice the limit are answered at once: a client that overshoots
// by a few calls, or a test probing the boundary, never waits.
const FREE_MULTIPLE = 2;
const STEP_MS = 10;

/**
 * How long to hold the refusal of a call that is far past its limit: each
 * call beyond twice the limit adds 10 ms, up to `maxMs`. A client that keeps
 * hammering on a few connections (a credential-stuffing tool, a retry loop
 * without backoff) then gets one answer per connection per `maxMs` instead of
 * thousands a second, so it cannot crowd out everyone else's calls; holding an
 * answer costs a timer, not CPU. Refused calls are counted too, so a client
 * stays slowed down until it backs off.
 */
export function slowDownMs(refused: readonly WindowDecision[], maxMs: number): number {
  const excess = Math.max(0, ...refused.map((d) => d.used - FREE_MULTIPLE * d.limit));
  return Math.min(maxMs, Math.ceil(excess) * STEP_MS);
}

// About one verification at the default cost 12 (233 ms measured here): roughly when a hashing slot frees.
const OVERLOADED_HOLD_MS = 250;

/**
 * Holds a 503 `overloaded` answer (hashing saturated: a login, signup, reset
 * or password change) for about one verification, at most `slowDownMaxMs`.
 * A client that retries the moment it is refused (a login storm, a retry loop
 * without backoff) would otherwise get refusals as fast as the event loop can
 * write them, and those refusals would take the CPU that token checks and the
 * hashing itself need; held, each connection costs a few refusals a second. A
 * client that honours Retry-After (1 s) retries a quarter of a second later.
 * The holds share the slow-down's cap on answers held at once.
 */
export function holdOverloadedAnswer(ctx: Context): void {
  ctx.http.holdAnswer(Math.min(ctx.services.config.slowDownMaxMs, OVERLOADED_HOLD_MS));
}
