/**
 * Lookups more than one step of a call needs, made once per call: a login's
 * device credential is looked up for its rate-limit key, then again by the
 * sign-in. The map is made on first use, so a call that needs none pays nothing.
 */
export interface CallMemo {
  /** The promise of the first `lookup` made under `key` in this call. */
  once<T>(key: string, lookup: () => Promise<T>): Promise<T>;
  /**
   * Forgets every lookup: called when a procedure call ends, so a context used
   * for several calls (one tRPC caller reused) never answers a later call from
   * an earlier call's lookup (a device credential ended meanwhile).
   */
  clear(): void;
}

// A class, not a closure: one is made for every request.
class LazyCallMemo implements CallMemo {
  private made: Map<string, Promise<unknown>> | undefined;

  once<T>(key: string, lookup: () => Promise<T>): Promise<T> {
    const made = (this.made ??= new Map());
    let promise = made.get(key) as Promise<T> | undefined;
    if (!promise) {
      promise = lookup();
      made.set(key, promise);
      // A failed lookup (the store away) is tried again by the next step that asks, as it was before it was shared.
      promise.catch(() => made.delete(key));
    }
    return promise;
  }

  clear(): void {
    this.made = undefined;
  }
}

export const createCallMemo = (): CallMemo => new LazyCallMemo();
