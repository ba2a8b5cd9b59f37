import type { LimitRule } from "./limit-rules.js";
import type { WindowDecision } from "./sliding-window.js";

/**
 * The rules one call has been counted against, and the only way that call is
 * counted. A single-call POST is counted in the HTTP layer before tRPC parses
 * it (http/early-limits.ts) and again in the middleware from the parsed input
 * (a rule the early count could not key, such as an email missing from the body
 * as it was read): both count through the call's ledger, so no rule is counted
 * twice for one call, whichever layer comes first.
 */
export interface LimitLedger {
  /** Whether this call has been counted against `rule`. */
  has(rule: LimitRule): boolean;
  /** Whether this call has been counted against any rule. */
  readonly empty: boolean;
  /** Counts the call against `rule` under `key`: the window's decision, or undefined when this call was counted against `rule` already. */
  hit(rule: LimitRule, key: string): Promise<WindowDecision> | undefined;
}

/** A fresh ledger for one call over `hit`, the limiter's count of a rule's window. */
export function createLimitLedger(hit: (rule: LimitRule, key: string) => Promise<WindowDecision>): LimitLedger {
  const counted = new Set<LimitRule>();
  return {
    has: (rule) => counted.has(rule),
    get empty() {
      return counted.size === 0;
    },
    hit(rule, key) {
      if (counted.has(rule)) return undefined;
      counted.add(rule);
      return hit(rule, key);
    },
  };
}
