import { setTimeout as sleep } from "node:timers/promises";
import { StoreUnavailableError, type AppendLog } from "@gatehouse/store";
import { chainEntries, endOf, EMPTY_CHAIN, type AuditContent, type AuditEntry, type ChainEnd } from "./audit-chain.js";

interface Waiting {
  content: AuditContent;
  resolve(entry: AuditEntry): void;
  reject(error: unknown): void;
}

export interface AuditWriterOptions {
  /** Entries per conditional append at most (the store takes up to 1,000). */
  maxBatch?: number;
  /** Tries while the store does not answer, before the batch's callers are told (503). */
  attemptsWhileUnavailable?: number;
  /** Waits between those tries, ms. */
  backoffMs?: number;
}

/**
 * The one audit writer of this instance. Events wait in a queue; the writer
 * takes everything queued, chains it onto the end it last saw and appends it
 * with one conditional append (`appendAfter`). When another instance got
 * there first, the store refuses and hands back the actual end in the same
 * step, and the writer chains the same batch onto that and tries again: a
 * refusal means someone else's batch landed, so the trail always progresses
 * and nothing is dropped. One attempt in flight per instance, so k instances
 * contend k ways whatever the request load.
 *
 * A store that does not answer may still have applied the append (Redis runs a
 * command that was sent): before trying again, the writer looks at the
 * positions that attempt would have taken and recognises its own last entry
 * there (its MAC covers the entry's unique id), so a batch is never written twice.
 */
export function createAuditWriter(log: AppendLog<AuditEntry>, key: Uint8Array, options: AuditWriterOptions = {}) {
  const { maxBatch = 500, attemptsWhileUnavailable = 3, backoffMs = 100 } = options;
  const queue: Waiting[] = [];
  let end: ChainEnd | undefined;
  let running = false;

  /** True when an attempt whose answer was lost is in the log anyway: its last entry is where it would be. */
  const landed = async (sent: readonly AuditEntry[]): Promise<boolean> => {
    const last = sent.at(-1)!;
    return (await log.get(last.seq))?.hash === last.hash;
  };

  async function write(batch: readonly AuditContent[]): Promise<AuditEntry[]> {
    const uncertain: AuditEntry[][] = [];
    let unavailable = 0;
    for (;;) {
      try {
        for (const sent of uncertain) {
          if (!(await landed(sent))) continue;
          end = { length: sent.at(-1)!.seq, last: sent.at(-1) };
          return sent;
        }
        uncertain.length = 0;
        const from = end ?? EMPTY_CHAIN;
        const entries = chainEntries(key, from, batch);
        uncertain.push(entries);
        const answer = await log.appendAfter(from.length, entries);
        uncertain.length = 0;
        if (answer.appended) {
          end = { length: from.length + entries.length, last: entries.at(-1) };
          return entries;
        }
        end = endOf(answer.length, answer.last);
      } catch (error) {
        if (!(error instanceof StoreUnavailableError) || ++unavailable >= attemptsWhileUnavailable) throw error;
        end = undefined;
        await sleep(backoffMs * unavailable);
      }
    }
  }

  async function drain(): Promise<void> {
    running = true;
    try {
      while (queue.length > 0) {
        const taken = queue.splice(0, maxBatch);
        try {
          const entries = await write(taken.map((w) => w.content));
          taken.forEach((w, i) => w.resolve(entries[i]!));
        } catch (error) {
          end = undefined;
          for (const w of taken) w.reject(error);
        }
      }
    } finally {
      running = false;
    }
  }

  return {
    /** Resolves once the entry is in the trail; rejects when the store stayed unreachable. */
    append(content: AuditContent): Promise<AuditEntry> {
      return new Promise<AuditEntry>((resolve, reject) => {
        queue.push({ content, resolve, reject });
        if (!running) void drain();
      });
    },
  };
}
