import { createHmac } from "node:crypto";
import type { Clock, Store } from "@gatehouse/store";
import { createAppendLog } from "./append-log.js";

export interface AuditFields {
  actor: string | null;
  action: string;
  target: string | null;
  result: "success" | "failure";
  ip: string;
  userAgent: string;
  requestId: string;
}

export interface AuditEntry extends AuditFields {
  seq: number;
  at: number;
  prevHash: string;
  /** When the previous entry was written: tells an entry that aged out from one that was deleted. */
  prevAt: number | null;
  hash: string;
}

const GENESIS = "0".repeat(64);

/**
 * The trail is a chain: each entry's MAC covers its content and the previous
 * entry's MAC, under a server key, so editing, removing or re-forging an entry
 * breaks the chain there even for someone who can write to the store.
 */
export function createAuditTrail(store: Store, clock: Clock, retentionDays: number, key: Uint8Array) {
  const retentionMs = retentionDays * 24 * 3600_000;
  const log = createAppendLog<AuditEntry>(store, "audit", retentionMs);
  const macOf = (entry: Omit<AuditEntry, "hash">): string => {
    const { seq, at, actor, action, target, result, ip, userAgent, requestId, prevHash, prevAt } = entry;
    return createHmac("sha256", key).update(JSON.stringify([seq, at, actor, action, target, result, ip, userAgent, requestId, prevHash, prevAt])).digest("hex");
  };

  return {
    append(fields: AuditFields): Promise<AuditEntry> {
      return log.append((previous, seq) => {
        const entry = {
          seq,
          at: clock(),
          actor: fields.actor,
          action: fields.action,
          target: fields.target,
          result: fields.result,
          ip: fields.ip,
          userAgent: fields.userAgent,
          requestId: fields.requestId,
          prevHash: previous?.hash ?? GENESIS,
          prevAt: previous?.at ?? null,
        };
        return { ...entry, hash: macOf(entry) };
      });
    },

    page: (cursor: number | undefined, limit: number) => log.page(cursor, limit),

    /**
     * Walks the chain from the newest entry back. A missing entry is tampering
     * unless the retention period has passed since it was written (its time
     * is recorded, under the MAC, in the entry after it).
     */
    async verify(): Promise<{ ok: boolean; checked: number; brokenAt?: number }> {
      let { seq, entry } = await log.latest();
      let checked = 0;
      let newer: AuditEntry | undefined;
      while (seq > 0) {
        if (!entry) {
          // The newer entry says, under the MAC, either when its predecessor was
          // written or that there was none left to chain to (GENESIS) when it was.
          const agedOut = newer ? newer.prevHash === GENESIS || (newer.prevAt !== null && newer.prevAt + retentionMs <= clock()) : false;
          if (!agedOut) return { ok: false, checked, brokenAt: seq };
          break;
        }
        const { hash, ...content } = entry;
        if (entry.seq !== seq || macOf(content) !== hash) return { ok: false, checked, brokenAt: seq };
        if (newer && newer.prevHash !== hash) return { ok: false, checked, brokenAt: newer.seq };
        checked += 1;
        newer = entry;
        seq -= 1;
        entry = seq > 0 ? await log.get(seq) : undefined;
      }
      if (seq === 0 && newer && newer.prevHash !== GENESIS) return { ok: false, checked, brokenAt: newer.seq };
      // Only the head pointer is outside the MACs: cutting off the newest
      // entries and winding the head back needs an outside anchor to notice
      // (e.g. shipping the head's seq and MAC elsewhere now and then).
      return { ok: true, checked };
    },
  };
}

export type AuditTrail = ReturnType<typeof createAuditTrail>;
