import type { Store } from "@gatehouse/store";

export interface Page<T> {
  items: T[];
  nextCursor: number | null;
}

/**
 * An append-only sequence in the store. Entry n+1 is claimed with
 * setIfAbsent, so concurrent appenders on any number of instances each get a
 * distinct position with no gaps; a loser reads the winner's entry and tries
 * the next position. The head pointer only speeds up finding the end.
 */
export function createAppendLog<T>(store: Store, name: string, retentionMs?: number) {
  const headKey = `${name}:head`;
  const entryKey = (seq: number) => `${name}:${seq}`;

  async function latest(): Promise<{ seq: number; entry: T | undefined }> {
    const seq = (await store.get<number>(headKey)) ?? 0;
    return { seq, entry: seq > 0 ? await store.get<T>(entryKey(seq)) : undefined };
  }

  return {
    entryKey,
    latest,
    get: (seq: number) => store.get<T>(entryKey(seq)),

    /** `build` sees the entry it follows (undefined at the start or past retention) and its own position. */
    async append(build: (previous: T | undefined, seq: number) => T, maxAttempts = 200): Promise<T> {
      let { seq, entry: previous } = await latest();
      for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
        const next = seq + 1;
        const entry = build(previous, next);
        if (await store.setIfAbsent(entryKey(next), entry, retentionMs)) {
          await store.update<number>(headKey, (head = 0) => Math.max(head, next));
          return entry;
        }
        seq = next;
        previous = await store.get<T>(entryKey(next));
      }
      throw new Error(`append to ${name} lost ${maxAttempts} races in a row`);
    },

    /** Newest first; `cursor` is the position to start from (exclusive of newer ones). */
    async page(cursor: number | undefined, limit: number): Promise<Page<T>> {
      const start = cursor ?? (await latest()).seq;
      const positions = Array.from({ length: Math.max(0, Math.min(limit, start)) }, (_, i) => start - i);
      const entries: Array<T | undefined> = await Promise.all(positions.map((seq) => store.get<T>(entryKey(seq))));
      const items = entries.filter((e): e is T => e !== undefined);
      const last = positions.at(-1);
      return { items, nextCursor: last !== undefined && last > 1 && items.length === positions.length ? last - 1 : null };
    },
  };
}
