import type { LimitRule } from "./limit-rules.js";

/**
 * The rules the HTTP layer counted a call against before tRPC ran. A
 * single-call POST is counted early (http/early-limits.ts), before tRPC parses
 * it; the middleware then counts that call again from the parsed input, and
 * skips the rules recorded here, so no rule is counted twice for one call
 * while a rule the early count could not key (an email missing from the body
 * as it was read) is still counted. Batches are never counted early: each call
 * of a batch is counted by the middleware alone.
 */
export interface LimitLedger {
  /** Whether the call was counted against `rule` before tRPC ran. */
  has(rule: LimitRule): boolean;
  /** Whether it was counted against none. */
  readonly empty: boolean;
  record(rule: LimitRule): void;
}

export function createLimitLedger(): LimitLedger {
  const counted = new Set<LimitRule>();
  return {
    has: (rule) => counted.has(rule),
    get empty() {
      return counted.size === 0;
    },
    record(rule) {
      counted.add(rule);
    },
  };
}
