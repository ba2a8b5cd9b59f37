import type { Clock, Store } from "@gatehouse/store";
import { createAttemptCounter } from "./attempts.js";
import { createLimitLedger, type LimitLedger } from "./limit-ledger.js";
import type { LimitRule, Limits } from "./limit-rules.js";
import { hitSlidingWindow, type WindowDecision } from "./sliding-window.js";

/**
 * The one limiter every path counts through: `hit` counts a call against a
 * rule's sliding window (procedures' rate limits); `reserve` counts a
 * credential check before it runs and settles it after (lockout, MFA
 * attempts); `ledger` opens the record of the rules the HTTP layer counted a
 * call against. Keys are chosen by the callers; nothing here knows
 * a feature.
 */
export function createLimiter(store: Store, clock: Clock, limits: Limits) {
  return {
    limits,
    hit: (rule: LimitRule, key: string): Promise<WindowDecision> => hitSlidingWindow(store, clock, `${rule}:${key}`, limits[rule]),
    ledger: (): LimitLedger => createLimitLedger(),
    reserve: createAttemptCounter(store, clock, limits).reserve,
  };
}

export type Limiter = ReturnType<typeof createLimiter>;
