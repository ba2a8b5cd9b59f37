import type { Clock } from "../src/index.js";

export interface FakeClock {
  now: Clock;
  advance(ms: number): void;
}

/** Starts at the real time and moves only when told to. */
export function createFakeClock(): FakeClock {
  let current = Date.now();
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
}
