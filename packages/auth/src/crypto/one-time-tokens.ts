import type { Clock, Store } from "@gatehouse/store";
import { generateSecretToken } from "./random.js";
import type { KeyFamily } from "../store-keys.js";

/** What a redemption holds: the payload and when the token expires. */
export type Redeemed<T> = T & { expiresAt: number };

/**
 * Single-use secrets sent to a person (reset and verification links, the MFA
 * step of a login): 256 bits, stored only as SHA-256, redeemed with an atomic
 * `take` so that of any number of concurrent redemptions exactly one succeeds.
 */
export function createOneTimeTokens<T extends object>(store: Store, clock: Clock, keyOf: KeyFamily<[token: string]>, ttlMs: number) {
  return {
    ttlMs,
    async issue(payload: T): Promise<string> {
      const token = generateSecretToken(32);
      await store.set<Redeemed<T>>(keyOf(token), { ...payload, expiresAt: clock() + ttlMs }, ttlMs);
      return token;
    },
    /** Reads without redeeming (to check attempts before the final take). */
    peek: (token: string) => store.get<Redeemed<T>>(keyOf(token)),
    take: (token: string) => store.take<Redeemed<T>>(keyOf(token)),
    /**
     * Puts a taken token back, for when the redemption could not complete. It
     * keeps the expiry it was issued with: putting it back never lengthens its life.
     */
    async restore(token: string, taken: Redeemed<T>): Promise<void> {
      const remainingMs = taken.expiresAt - clock();
      if (remainingMs > 0) await store.setIfAbsent(keyOf(token), taken, remainingMs);
    },
  };
}
