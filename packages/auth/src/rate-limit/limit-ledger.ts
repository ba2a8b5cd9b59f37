import type { LimitRule } from "./limit-rules.js";

/**
 * The rules the HTTP layer counted a call against. A single-call POST is
 * counted before tRPC parses it (http/early-limits.ts); the middleware then
 * counts that call from the parsed input and skips the rules recorded here,
 * so no rule is counted twice for one call, while a rule the early count could
 * not key (an email missing from the body as it was read) is still counted.
 * Batches are never counted early: each call of a batch shares the request's
 * context, and is counted by the middleware alone.
 */
export interface LimitLedger {
  /** Whether the HTTP layer counted the call against `rule`. */
  has(rule: LimitRule): boolean;
  /** Whether it counted the call against none. */
  readonly empty: boolean;
  record(rule: LimitRule): void;
}

// A class, not a closure: one is made for every request.
class CallLedger implements LimitLedger {
  // Made on the first record: most calls (every query) are never counted early.
  private counted: Set<LimitRule> | undefined;

  has(rule: LimitRule): boolean {
    return this.counted?.has(rule) ?? false;
  }

  get empty(): boolean {
    return this.counted === undefined;
  }

  record(rule: LimitRule): void {
    (this.counted ??= new Set()).add(rule);
  }
}

export const createLimitLedger = (): LimitLedger => new CallLedger();
