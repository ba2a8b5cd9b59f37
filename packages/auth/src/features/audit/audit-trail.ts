import { createHash } from "node:crypto";
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
  hash: string;
}

const GENESIS = "0".repeat(64);

/** Each entry's hash covers its content and the previous hash: editing or removing one breaks the chain there. */
function hashOf(entry: Omit<AuditEntry, "hash">): string {
  const { seq, at, actor, action, target, result, ip, userAgent, requestId, prevHash } = entry;
  return createHash("sha256").update(JSON.stringify([seq, at, actor, action, target, result, ip, userAgent, requestId, prevHash])).digest("hex");
}

export function createAuditTrail(store: Store, clock: Clock, retentionDays: number) {
  const log = createAppendLog<AuditEntry>(store, "audit", retentionDays * 24 * 3600_000);

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
        };
        return { ...entry, hash: hashOf(entry) };
      });
    },

    page: (cursor: number | undefined, limit: number) => log.page(cursor, limit),

    /**
     * Walks the chain from the newest entry back. An entry that is missing
     * while an older one still exists was deleted; the oldest entries may
     * have aged out under the retention period, which ends the walk.
     */
    async verify(): Promise<{ ok: boolean; checked: number; brokenAt?: number }> {
      let { seq, entry } = await log.latest();
      let checked = 0;
      let newer: AuditEntry | undefined;
      while (seq > 0) {
        if (!entry) {
          if (seq > 1 && (await log.get(seq - 1)) !== undefined) return { ok: false, checked, brokenAt: seq };
          break;
        }
        const { hash, ...content } = entry;
        if (entry.seq !== seq || hashOf(content) !== hash) return { ok: false, checked, brokenAt: seq };
        if (newer && newer.prevHash !== hash) return { ok: false, checked, brokenAt: newer.seq };
        checked += 1;
        newer = entry;
        seq -= 1;
        entry = seq > 0 ? await log.get(seq) : undefined;
      }
      if (newer && newer.seq === 1 && newer.prevHash !== GENESIS) return { ok: false, checked, brokenAt: 1 };
      return { ok: true, checked };
    },
  };
}

export type AuditTrail = ReturnType<typeof createAuditTrail>;
