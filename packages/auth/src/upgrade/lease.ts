import type { Clock, Store } from "@gatehouse/store";
import { generateId } from "../crypto/random.js";

export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
}

export interface Lease {
  /** Throws LeaseLostError once another instance may have taken over. */
  check(): void;
  release(): Promise<void>;
}

interface LeaseRecord {
  owner: string;
  renewedAt: number;
}

/**
 * A claim on one job among instances sharing a store: `setIfAbsent` picks one
 * holder; the holder renews it while it works, and if it stops (a crash, a
 * stall longer than `ttlMs`) the claim expires and another instance can take
 * the job over. Work done under it must be safe to repeat, since a stalled
 * holder may still be finishing a step when the next one starts.
 */
export async function claimLease(store: Store, clock: Clock, key: string, ttlMs: number): Promise<Lease | undefined> {
  const owner = generateId();
  if (!(await store.setIfAbsent<LeaseRecord>(key, { owner, renewedAt: clock() }, ttlMs))) return undefined;
  let lost = false;
  const renew = async (): Promise<void> => {
    const held = await store.update<LeaseRecord>(key, (current) => (current?.owner === owner ? { owner, renewedAt: clock() } : current), { ttlMs });
    if (held?.owner !== owner) lost = true;
  };
  const timer = setInterval(() => void renew().catch(() => (lost = true)), Math.max(ttlMs / 3, 1));
  timer.unref();
  return {
    check() {
      if (lost) throw new LeaseLostError(`lost the claim on ${key} to another instance`);
    },
    async release() {
      clearInterval(timer);
      await store.update<LeaseRecord>(key, (current) => (current?.owner === owner ? undefined : current));
    },
  };
}
