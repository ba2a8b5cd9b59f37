import type { Clock, Store } from "@gatehouse/store";
import { generateId } from "../../crypto/random.js";
import { verifyChain, type AuditEntry, type AuditFields } from "./audit-chain.js";
import { createAuditWriter, type AuditWriterOptions } from "./audit-writer.js";
import { STORE_COLLECTIONS } from "../../store-keys.js";

export type { AuditEntry, AuditFields } from "./audit-chain.js";

/** The trail's log in the store; entries are chained by keyed MACs (audit-chain.ts). */
export const AUDIT_LOG = STORE_COLLECTIONS.audit;
// Entries past retention leave at most this often per instance, a bounded step (one page, one trim) at a time.
const PRUNE_INTERVAL_MS = 60_000;
const PRUNE_PAGE = 1000;

/**
 * The tamper-evident audit trail: one append-only log whose entries each
 * carry a MAC over their position, content and the MAC before (audit-chain.ts),
 * written by this instance's batching writer (audit-writer.ts).
 */
export function createAuditTrail(store: Store, clock: Clock, retentionDays: number, key: Uint8Array, options: AuditWriterOptions = {}) {
  const retentionMs = retentionDays * 24 * 3600_000;
  const log = store.log<AuditEntry>(AUDIT_LOG);
  const writer = createAuditWriter(log, key, options);
  let lastPrune = -Infinity;
  let pruning: Promise<void> | undefined;

  /** Removes a bounded step of entries past retention, never the newest; true when more may be due. */
  async function pruneStep(): Promise<boolean> {
    const [oldest, length] = await Promise.all([log.page({ order: "asc", limit: PRUNE_PAGE }), log.length()]);
    const now = clock();
    const kept = oldest.items.find(({ value }) => value.at + retentionMs > now);
    const keepFrom = Math.min(kept?.position ?? (oldest.items.at(-1)?.position ?? 0) + 1, length);
    if (oldest.items.length === 0 || keepFrom <= oldest.items[0]!.position) return false;
    await log.trim(keepFrom);
    return kept === undefined && keepFrom < length;
  }

  const trail = {
    /** Resolves once the entry is in the trail; rejects (StoreUnavailableError) when it could not be written. */
    async append(fields: AuditFields): Promise<AuditEntry> {
      const entry = await writer.append({ ...fields, id: generateId(), at: clock() });
      if (clock() - lastPrune >= PRUNE_INTERVAL_MS) {
        lastPrune = clock();
        // Maintenance off the caller's path; a failed step is retried at the next interval.
        void trail.prune().catch(() => undefined);
      }
      return entry;
    },

    /** Removes the entries past the retention period, a bounded step per store call; one run at a time. */
    prune(): Promise<void> {
      pruning ??= (async () => {
        for (let more = true; more;) more = await pruneStep();
      })().finally(() => (pruning = undefined));
      return pruning;
    },

    /** Newest first; the cursor is opaque. */
    async page(cursor: string | undefined, limit: number) {
      const page = await log.page({ limit, ...(cursor ? { cursor } : {}) });
      return { items: page.items.map((item) => item.value), nextCursor: page.nextCursor };
    },

    /** Walks the whole trail (see verifyChain); its cost is the trail's length, read a page at a time. */
    verify: () => verifyChain(log, key, retentionMs, clock()),
  };
  return trail;
}

export type AuditTrail = ReturnType<typeof createAuditTrail>;
