import type Database from "libsql";

interface Queued {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommit {
  /** Runs `write` in the next group's transaction; resolves once that transaction is committed. */
  <T>(write: () => T): Promise<T>;
  /** Commits what is queued now (before closing). */
  flush(): void;
}

/**
 * Group commit: the writes issued during one turn of the event loop run, in
 * order, inside one transaction, and each caller hears back only after the
 * COMMIT. A commit costs far more than a statement (the WAL frame, the lock),
 * so under load many rate-limit counts share one. Each write still runs alone
 * in this process's one connection: atomicity and order are unchanged, and an
 * acknowledged write is as durable as before.
 */
export function createGroupCommit(db: Database.Database, onRollback: () => void): GroupCommit {
  let queued: Queued[] = [];

  const flush = (): void => {
    const group = queued;
    queued = [];
    if (group.length === 0) return;
    const results: unknown[] = [];
    try {
      db.exec("BEGIN IMMEDIATE");
      for (const write of group) results.push(write.run());
      db.exec("COMMIT");
    } catch (error) {
      if (db.inTransaction) db.exec("ROLLBACK");
      // The group's writes are gone: anything they taught the caller's caches is too.
      onRollback();
      for (const write of group) write.reject(error);
      return;
    }
    group.forEach((write, i) => write.resolve(results[i]));
  };

  const enqueue = <T>(run: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (queued.length === 0) setImmediate(flush);
      queued.push({ run, resolve: resolve as (value: unknown) => void, reject });
    });
  return Object.assign(enqueue, { flush });
}
