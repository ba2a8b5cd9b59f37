import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Holds answers (the slow-down of clients hammering past a rate limit, and 503
 * `overloaded` refusals while hashing is saturated) with at most `maxHeld`
 * held at once: beyond that an answer goes out at once, so holding can never
 * pile up sockets and timers without bound.
 */
export function createAnswerHold(maxHeld: number): (ms: number, res?: ServerResponse) => Promise<void> {
  let held = 0;
  return async (ms, res) => {
    if (ms <= 0 || held >= maxHeld || res?.destroyed) return;
    held += 1;
    // A client that leaves frees its slot at once: nobody is waiting for that answer.
    const gone = new AbortController();
    const onClose = () => gone.abort();
    res?.once("close", onClose);
    try {
      await sleep(ms, undefined, { signal: gone.signal }).catch(() => {});
    } finally {
      res?.off("close", onClose);
      held -= 1;
    }
  };
}
