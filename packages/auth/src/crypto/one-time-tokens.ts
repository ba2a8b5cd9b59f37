import type { Store } from "@gatehouse/store";
import { generateSecretToken, sha256Hex } from "./random.js";

/**
 * Single-use secrets sent to a person (reset and verification links, the MFA
 * step of a login): 256 bits, stored only as SHA-256, redeemed with an atomic
 * `take` so that of any number of concurrent redemptions exactly one succeeds.
 */
export function createOneTimeTokens<T>(store: Store, purpose: string, ttlMs: number) {
  const keyOf = (token: string) => `${purpose}:${sha256Hex(token)}`;
  return {
    ttlMs,
    async issue(payload: T): Promise<string> {
      const token = generateSecretToken(32);
      await store.set(keyOf(token), payload, ttlMs);
      return token;
    },
    /** Reads without redeeming (to check attempts before the final take). */
    peek: (token: string) => store.get<T>(keyOf(token)),
    take: (token: string) => store.take<T>(keyOf(token)),
    /** Puts a taken token back, for when the redemption could not complete. */
    async restore(token: string, payload: T): Promise<void> {
      await store.setIfAbsent(keyOf(token), payload, ttlMs);
    },
  };
}
