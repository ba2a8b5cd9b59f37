export interface SingleFlight<T> {
  /** Joins the run in flight, or starts one. */
  (): Promise<T>;
  /** Resolves once no run is in flight, whatever its outcome. */
  settled(): Promise<void>;
}

/**
 * Shares one in-flight run of `task` among every caller that asks while it is
 * running; the next call after it settles starts a fresh run. This is what
 * turns twenty calls that find the token expired into one refresh request.
 */
export function singleFlight<T>(task: () => Promise<T>): SingleFlight<T> {
  let inFlight: Promise<T> | undefined;
  const run = (): Promise<T> => {
    inFlight ??= task().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  return Object.assign(run, {
    settled: async (): Promise<void> => {
      while (inFlight) await inFlight.catch(() => undefined);
    },
  });
}
