import type { Store } from "@gatehouse/store";
import { STORE_KEYS } from "../../store-keys.js";

const WINDOW_MS = 30 * 24 * 3600_000;

/** Remembers the addresses a user signed in from, to flag a login from one not seen in 30 days. */
export function createKnownIps(store: Store) {
  const keyOf = STORE_KEYS.seenIp;
  return {
    /** True when `ip` is new for this user within the window; either way it is remembered for another 30 days. */
    async note(userId: string, ip: string): Promise<boolean> {
      if (await store.setIfAbsent(keyOf(userId, ip), true, WINDOW_MS)) return true;
      await store.set(keyOf(userId, ip), true, WINDOW_MS);
      return false;
    },
  };
}

export type KnownIps = ReturnType<typeof createKnownIps>;
