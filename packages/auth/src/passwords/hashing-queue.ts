import { AuthError } from "../errors.js";

export interface HashingQueueOptions {
  /** Hashes in flight at once; more would only queue in libuv's shared threadpool. */
  concurrency: number;
  /** Waiting jobs beyond which new ones are shed with 503 `overloaded`. */
  maxQueued: number;
}

/**
 * Bounds bcrypt work so it cannot starve everything else on the threadpool
 * (token verification, file and DNS work): a fixed number run, a bounded
 * number wait, the rest are refused at once instead of making every latency grow.
 */
export function createHashingQueue(options: HashingQueueOptions) {
  const { concurrency, maxQueued } = options;
  let running = 0;
  const waiting: Array<() => void> = [];

  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };

  const isFull = (): boolean => running >= concurrency && waiting.length >= maxQueued;

  const runHashing = async <T>(job: () => Promise<T>): Promise<T> => {
    if (running >= concurrency) {
      if (isFull()) throw new AuthError("overloaded", { retryAfterSeconds: 1 });
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      running += 1;
    }
    try {
      return await job();
    } finally {
      release();
    }
  };
  /** True while a new job would be shed: callers may refuse before doing any other work. */
  return Object.assign(runHashing, { isFull });
}

export type RunHashing = ReturnType<typeof createHashingQueue>;
