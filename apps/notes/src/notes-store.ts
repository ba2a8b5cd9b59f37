export interface Note {
  id: string;
  text: string;
  createdAt: string;
}

/**
 * The example keeps notes in memory, per user: what matters here is who may
 * read and change them, not where they live.
 */
export function createNotesStore() {
  const byUser = new Map<string, Note[]>();
  let total = 0;
  return {
    list: (userId: string): Note[] => byUser.get(userId) ?? [],
    add(userId: string, text: string): Note {
      const note = { id: crypto.randomUUID(), text, createdAt: new Date().toISOString() };
      byUser.set(userId, [...(byUser.get(userId) ?? []), note]);
      total++;
      return note;
    },
    clear(userId: string): number {
      const removed = byUser.get(userId)?.length ?? 0;
      byUser.delete(userId);
      total -= removed;
      return removed;
    },
    stats: () => ({ authors: byUser.size, notes: total }),
  };
}

export type NotesStore = ReturnType<typeof createNotesStore>;
