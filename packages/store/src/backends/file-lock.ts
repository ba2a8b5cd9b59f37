import Database from "libsql";

export interface FileLock {
  release(): void;
}

/**
 * Claims `<path>.lock` for this process: an exclusive transaction held open on
 * a small companion database. The OS drops it when the process dies (even on
 * `kill -9`); `release` hands it back at once, unlike closing a libsql
 * connection, which waits for its statements to be collected.
 */
export function lockFile(path: string, timeoutMs: number): FileLock {
  const lock = new Database(`${path}.lock`);
  lock.pragma(`busy_timeout = ${timeoutMs}`);
  try {
    lock.exec("BEGIN EXCLUSIVE");
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code?.startsWith("SQLITE_BUSY")) {
      throw new Error(`${path} is in use by another process; one process owns an embedded store (run several instances on Redis)`, { cause: error });
    }
    throw error;
  }
  return {
    release() {
      lock.exec("ROLLBACK");
      lock.close();
    },
  };
}
