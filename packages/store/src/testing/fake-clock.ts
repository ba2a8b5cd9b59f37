import type { Clock } from "../clock.js";

export interface FakeClock {
  now: Clock;
  advance(ms: number): void;
}

/** Starts at the real time and moves only when told to: what "now" is for a store or server under test. */
export function createFakeClock(): FakeClock {
  let current = Date.now();
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
}
