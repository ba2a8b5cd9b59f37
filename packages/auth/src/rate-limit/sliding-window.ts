import type { Clock, Store } from "@gatehouse/store";
import type { Limit } from "./limit-rules.js";
import { STORE_KEYS } from "../store-keys.js";

export interface WindowDecision {
  allowed: boolean;
  limit: number;
  /** Calls in the sliding window, this one and refused ones included. */
  used: number;
  remaining: number;
  /** Seconds until the current window ends (for RateLimit / X-RateLimit-Reset). */
  resetSeconds: number;
  /** Seconds until a request would be allowed again; 0 when allowed. */
  retryAfterSeconds: number;
}

/**
 * Sliding-window counter: the current fixed window's count plus the previous
 * window's, weighted by how much of it the sliding window still covers. No
 * window boundary lets a burst of twice the limit through, and each call is
 * one atomic step, so it is exact under concurrency on every store.
 * Refused requests count too: a client that keeps hammering stays refused.
 */
export async function hitSlidingWindow(store: Store, clock: Clock, key: string, limit: Limit): Promise<WindowDecision> {
  const windowMs = limit.windowSeconds * 1000;
  const now = clock();
  const windowIndex = Math.floor(now / windowMs);
  const elapsedMs = now - windowIndex * windowMs;
  // One atomic step counts this call and reads the previous window; the hash tag keeps both windows on one Redis Cluster slot.
  const { count: current, read: previous } = await store.incrementAndRead(
    STORE_KEYS.rateWindow(key, windowIndex),
    windowMs * 2,
    STORE_KEYS.rateWindow(key, windowIndex - 1),
  );
  const previousWeight = 1 - elapsedMs / windowMs;
  // Not rounded: rounding the carried share down would let a few extra through at the boundary.
  const used = (previous ?? 0) * previousWeight + current;
  const allowed = used <= limit.max;
  const resetSeconds = Math.ceil((windowMs - elapsedMs) / 1000);
  return {
    allowed,
    limit: limit.max,
    used,
    remaining: Math.max(0, Math.floor(limit.max - used)),
    resetSeconds,
    retryAfterSeconds: allowed ? 0 : retryAfter(limit.max, current, previous ?? 0, elapsedMs, windowMs),
  };
}

// When would one more request fit (carried + current + 1 ≤ max)? The current
// count stays until its window ends and then becomes the carried share, which
// shrinks linearly over the next window.
function retryAfter(max: number, current: number, previous: number, elapsedMs: number, windowMs: number): number {
  const untilWindowEnds = windowMs - elapsedMs;
  const waitMs =
    current + 1 > max ? untilWindowEnds + windowMs * Math.max(0, 1 - (max - 1) / current) : windowMs * (1 - (max - 1 - current) / previous) - elapsedMs;
  return Math.max(1, Math.ceil(waitMs / 1000));
}
