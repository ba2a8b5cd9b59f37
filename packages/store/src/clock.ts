/** Milliseconds since the epoch. Injected so expiry can be tested without sleeping. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
