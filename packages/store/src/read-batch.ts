interface Waiting {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Gathers the reads started in one synchronous stretch of code (a call's
 * session and user lookups, started together) and sends them as one
 * `getMany`: one MGET on Redis instead of one GET each, where every command
 * costs a round trip and its own encoding and bookkeeping. A failed `getMany`
 * fails every read in it.
 */
export function createReadBatcher(getMany: (keys: string[]) => Promise<readonly unknown[]>): (key: string) => Promise<unknown> {
  let keys: string[] = [];
  let waiting: Waiting[] = [];

  const send = (): void => {
    const batchKeys = keys;
    const batchWaiting = waiting;
    keys = [];
    waiting = [];
    const fail = (error: unknown) => batchWaiting.forEach((w) => w.reject(error));
    try {
      getMany(batchKeys).then((values) => batchWaiting.forEach((w, i) => w.resolve(values[i])), fail);
    } catch (error) {
      // Thrown before it could return a promise: still every read hears of it, none waits forever.
      fail(error);
    }
  };

  return (key) =>
    new Promise((resolve, reject) => {
      if (keys.length === 0) queueMicrotask(send);
      keys.push(key);
      waiting.push({ resolve, reject });
    });
}
