import { setTimeout as sleep } from "node:timers/promises";

/**
 * Holds answers (the slow-down of clients hammering past a rate limit) with at
 * most `maxHeld` held at once: beyond that an answer goes out at once, so
 * holding can never pile up sockets and timers without bound.
 */
export function createAnswerHold(maxHeld: number): (ms: number) => Promise<void> {
  let held = 0;
  return async (ms) => {
    if (ms <= 0 || held >= maxHeld) return;
    held += 1;
    try {
      await sleep(ms);
    } finally {
      held -= 1;
    }
  };
}
