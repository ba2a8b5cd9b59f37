import type { Clock, Store } from "@gatehouse/store";
import { AuthError } from "../errors.js";
import type { AttemptRule, Limit } from "./limit-rules.js";
import { STORE_KEYS } from "../store-keys.js";

/** A credential check that has been counted and not yet settled. */
export interface AttemptReservation {
  /** The credential was right: the run of failures is cleared, this attempt with it. */
  succeeded(): Promise<void>;
  /** The credential was wrong: the attempt stays counted. Returns the keys this failure locked (each lock is reported once). */
  failed(): Promise<string[]>;
  /** No credential was checked (the hashing queue refused, the challenge was gone): the attempt is handed back. */
  released(): Promise<void>;
}

// The two keys of a subject share a hash tag, so one script can count one and read the other on a Redis Cluster.
const countKey = (rule: AttemptRule, key: string) => STORE_KEYS.attempts(rule, key, "n");
const lockKey = (rule: AttemptRule, key: string) => STORE_KEYS.attempts(rule, key, "lock");
const MAX_RUN_MS = 24 * 3600_000;

/**
 * Failed credential checks (passwords, TOTP and recovery codes) in a row, per
 * subject: MAX of them lock the subject for WINDOW. The attempt is counted by
 * one atomic increment *before* the credential is checked, and the check runs
 * only if the count is within MAX, so guesses sent all at once cannot all pass
 * a lock that their own failures would set: at most MAX of them are ever
 * checked, on any number of instances. A success clears the count, so only
 * failures add up.
 *
 * Counts are never decreased below what was added (no refund can run after the
 * count was cleared and leave credit behind), except `released`, which hands
 * back an attempt that checked nothing. A count past MAX that locked nothing
 * (calls refused while the last allowed attempts were still being checked) is
 * dropped when a failure locks or a success clears. The run is forgotten MAX ×
 * WINDOW (at most a day) after its first failure, so a slow trickle of guesses
 * still adds up.
 */
export function createAttemptCounter(store: Store, clock: Clock, limits: Readonly<Record<AttemptRule, Limit>>) {
  const lockedError = (rule: AttemptRule, ms: number): AuthError => {
    const retryAfterSeconds = Math.max(1, Math.ceil(ms / 1000));
    return rule === "login.lockout"
      ? new AuthError("account_locked", { message: `Too many failed attempts; try again in ${retryAfterSeconds} s.`, retryAfterSeconds })
      : new AuthError("rate_limited", { message: `Too many attempts; try again in ${retryAfterSeconds} s.`, retryAfterSeconds });
  };

  return {
    /**
     * Counts one attempt against each key before the credential is checked, or
     * throws the rule's refusal (`account_locked` for `login.lockout`,
     * `rate_limited` otherwise) with the seconds until it may be tried again.
     */
    async reserve(rule: AttemptRule, keys: readonly string[]): Promise<AttemptReservation> {
      const limit = limits[rule];
      const windowMs = limit.windowSeconds * 1000;
      const runMs = Math.min(limit.max * windowMs, MAX_RUN_MS);
      // A locked subject is refused without touching its count, so calls made during a lock do not lengthen it.
      const locks = await Promise.all(keys.map((key) => store.get<number>(lockKey(rule, key))));
      const lockedFor = (untils: ReadonlyArray<number | undefined>) => Math.max(0, ...untils.map((until) => (until ?? 0) - clock()));
      if (lockedFor(locks) > 0) throw lockedError(rule, lockedFor(locks));
      // The count and the lock are read in one step: a lock set since the read above is seen here.
      const counted = await Promise.all(keys.map((key) => store.incrementAndRead(countKey(rule, key), runMs, lockKey(rule, key))));
      const lockedNow = lockedFor(counted.map((c) => c.read));
      if (lockedNow > 0) throw lockedError(rule, lockedNow);
      // MAX attempts are already being checked; the last of them decides whether the subject locks.
      if (counted.some((c) => c.count > limit.max)) throw lockedError(rule, windowMs);

      return {
        async succeeded() {
          await Promise.all(keys.map((key) => store.delete(countKey(rule, key))));
        },
        async failed() {
          const locked: string[] = [];
          await Promise.all(
            keys.map(async (key) => {
              const count = await store.get<number>(countKey(rule, key));
              if (count === undefined || count < limit.max) return;
              // setIfAbsent: of the failures that reach MAX together, exactly one sets the lock.
              if (await store.setIfAbsent(lockKey(rule, key), clock() + windowMs, windowMs)) locked.push(key);
              await store.delete(countKey(rule, key));
            }),
          );
          return locked;
        },
        async released() {
          await Promise.all(keys.map((key) => store.increment(countKey(rule, key), runMs, -1)));
        },
      };
    },
  };
}

export type AttemptCounter = ReturnType<typeof createAttemptCounter>;

/**
 * Runs a credential check under a reservation: `check` resolves true for a
 * right credential; it is counted before it runs, cleared on success, kept on
 * failure and handed back when it throws (nothing was checked).
 */
export async function checkAttempt(reservation: AttemptReservation, check: () => Promise<boolean>): Promise<{ ok: true } | { ok: false; locked: string[] }> {
  let ok: boolean;
  try {
    ok = await check();
  } catch (error) {
    await reservation.released();
    throw error;
  }
  if (ok) {
    await reservation.succeeded();
    return { ok: true };
  }
  return { ok: false, locked: await reservation.failed() };
}
