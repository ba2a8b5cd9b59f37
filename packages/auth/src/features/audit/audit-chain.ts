import { createHmac } from "node:crypto";
import type { AppendLog, LogEntry } from "@gatehouse/store";

export interface AuditFields {
  actor: string | null;
  action: string;
  target: string | null;
  result: "success" | "failure";
  ip: string;
  userAgent: string;
  requestId: string;
}

/** What an entry says before it has a place in the chain: a unique id and the time of the event. */
export interface AuditContent extends AuditFields {
  /** Unique per entry: lets a writer whose append timed out tell whether it landed. */
  id: string;
  at: number;
}

export interface AuditEntry extends AuditContent {
  /** The entry's position in the log, under the MAC: moving an entry breaks it. */
  seq: number;
  /** The MAC of the entry before, or GENESIS when there was none to chain to. */
  prevHash: string;
  /** When the entry before was written, under the MAC: tells an entry that aged out from one that was deleted. */
  prevAt: number | null;
  hash: string;
}

/** Where the chain ends: the log's length and the entry at that position (undefined when it is gone). */
export interface ChainEnd {
  length: number;
  last: AuditEntry | undefined;
}

export const GENESIS = "0".repeat(64);
export const EMPTY_CHAIN: ChainEnd = { length: 0, last: undefined };

export function auditMac(key: Uint8Array, entry: Omit<AuditEntry, "hash">): string {
  const { seq, id, at, actor, action, target, result, ip, userAgent, requestId, prevHash, prevAt } = entry;
  return createHmac("sha256", key)
    .update(JSON.stringify([seq, id, at, actor, action, target, result, ip, userAgent, requestId, prevHash, prevAt]))
    .digest("hex");
}

/**
 * Entries for positions `end.length + 1`…, each MAC covering its position, its
 * content and the MAC before it (RFC 2104 HMAC-SHA256 under the server's key).
 * A chain whose last entry is missing although the log is not empty starts
 * again from GENESIS with no previous time, which verification reports as a
 * break: only the first position may follow nothing.
 */
export function chainEntries(key: Uint8Array, end: ChainEnd, contents: readonly AuditContent[]): AuditEntry[] {
  let prevHash = end.last?.hash ?? GENESIS;
  let prevAt = end.last?.at ?? null;
  return contents.map((content, i) => {
    const unsigned = { ...content, seq: end.length + 1 + i, prevHash, prevAt };
    const entry = { ...unsigned, hash: auditMac(key, unsigned) };
    prevHash = entry.hash;
    prevAt = entry.at;
    return entry;
  });
}

export type Verification = { ok: true; checked: number } | { ok: false; checked: number; brokenAt: number };

const PAGE = 1000;

/**
 * Walks the whole trail oldest first, a page at a time. Broken: an entry whose
 * MAC or position does not hold, a gap in positions (the store assigns them
 * gap-free), a link to a MAC that is not the previous entry's, missing oldest
 * entries that were not yet past `retentionMs` (the first entry kept records,
 * under its MAC, when its predecessor was written), or missing newest entries
 * (the log's length says how many were appended). What no chain can show alone
 * is the newest entries cut off together with the length: that takes an outside
 * anchor (the head's position and MAC shipped elsewhere now and then).
 */
export async function verifyChain(log: AppendLog<AuditEntry>, key: Uint8Array, retentionMs: number, now: number): Promise<Verification> {
  const length = await log.length();
  let previous: AuditEntry | undefined;
  let checked = 0;
  let cursor: string | undefined;
  do {
    const page = await log.page({ order: "asc", limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const { position, value } of page.items) {
      const broken = brokenLink(previous, position, value, retentionMs, now);
      if (broken !== undefined) return { ok: false, checked, brokenAt: broken };
      const { hash, ...content } = value;
      if (value.seq !== position || auditMac(key, content) !== hash) return { ok: false, checked, brokenAt: position };
      checked += 1;
      previous = value;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const reached = previous?.seq ?? 0;
  if (reached < length) return { ok: false, checked, brokenAt: reached + 1 };
  return { ok: true, checked };
}

function brokenLink(previous: AuditEntry | undefined, position: number, entry: AuditEntry, retentionMs: number, now: number): number | undefined {
  if (previous) {
    if (position !== previous.seq + 1) return previous.seq + 1;
    return entry.prevHash === previous.hash ? undefined : position;
  }
  if (position === 1) return entry.prevHash === GENESIS ? undefined : 1;
  // The oldest entry kept: its predecessors may have left only once past retention.
  const agedOut = entry.prevAt !== null && entry.prevAt + retentionMs <= now;
  return agedOut ? undefined : position - 1;
}

/** The chain's end as a refused conditional append reports it. */
export const endOf = (length: number, last: LogEntry<AuditEntry> | undefined): ChainEnd => ({ length, last: last?.value });
