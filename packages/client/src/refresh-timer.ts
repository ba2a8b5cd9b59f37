type TimerHandle = ReturnType<typeof setTimeout>;

// setTimeout cannot wait longer than 2^31-1 ms; a longer wait fires at once.
const MAX_DELAY_MS = 2_147_483_647;

/**
 * One pending wake-up at a time. In Node it is unref'd: a CLI that has done
 * its work exits instead of waiting for the next proactive refresh.
 */
export function createRefreshTimer(onDue: () => void, now: () => number) {
  let handle: TimerHandle | undefined;

  const cancel = (): void => {
    if (handle !== undefined) clearTimeout(handle);
    handle = undefined;
  };

  return {
    /** Replaces any pending wake-up with one at `dueAt` (local clock, ms). */
    scheduleAt(dueAt: number): void {
      cancel();
      handle = setTimeout(
        () => {
          handle = undefined;
          onDue();
        },
        Math.min(Math.max(0, dueAt - now()), MAX_DELAY_MS),
      );
      const unref = (handle as { unref?: unknown }).unref;
      if (typeof unref === "function") unref.call(handle);
    },
    cancel,
  };
}

export type RefreshTimer = ReturnType<typeof createRefreshTimer>;
