import { createHmac } from "node:crypto";
import type { Clock, Store } from "@gatehouse/store";
import { chainEntries, GENESIS, type AuditContent, type AuditEntry, type ChainEnd } from "../features/audit/audit-chain.js";
import { AUDIT_LOG } from "../features/audit/audit-trail.js";
import { LeaseLostError } from "./lease.js";
import { LEGACY_STORE_KEYS, UPGRADE_KEYS } from "../store-keys.js";

// The earlier trail: one key per entry (each with the retention as TTL) and a
// head position, chained by a MAC over the same fields without an id.
const LEGACY_HEAD = LEGACY_STORE_KEYS.auditHead;
const legacyEntryKey = LEGACY_STORE_KEYS.auditEntry;
type LegacyEntry = Omit<AuditEntry, "id">;

const PLAN_KEY = UPGRADE_KEYS.auditPlan;
const CHUNK = 500;
const legacyId = (seq: number) => `legacy-${seq}`;
const UPGRADED_ID = "legacy-upgraded";

/** What the legacy trail held, and whether its chain held, checked once before copying. */
export interface LegacyAuditSurvey {
  first: number;
  head: number;
  ok: boolean;
  checked: number;
  brokenAt?: number;
}

export interface AuditUpgradeDeps {
  store: Store;
  clock: Clock;
  key: Uint8Array;
  retentionMs: number;
}

function legacyMac(key: Uint8Array, entry: Omit<LegacyEntry, "hash">): string {
  const { seq, at, actor, action, target, result, ip, userAgent, requestId, prevHash, prevAt } = entry;
  return createHmac("sha256", key)
    .update(JSON.stringify([seq, at, actor, action, target, result, ip, userAgent, requestId, prevHash, prevAt]))
    .digest("hex");
}

/**
 * Copies the legacy trail into the audit log, oldest entry first, re-chained
 * under the log's MACs, after checking the legacy chain as the earlier version
 * did; the check's outcome is recorded as the trail's next entry
 * (`audit_trail_upgraded`, result `failure` when the legacy chain was broken),
 * so a copy never launders a break. Each copied entry's id names its legacy
 * position: a holder that takes over part-way continues after the last one
 * copied, and a conditional append refuses a stalled holder's duplicate.
 */
export async function upgradeLegacyAudit(deps: AuditUpgradeDeps, check: () => void): Promise<LegacyAuditSurvey | undefined> {
  const { store } = deps;
  const head = await store.get<number>(LEGACY_HEAD);
  if (head === undefined) return undefined;
  let survey = await store.get<LegacyAuditSurvey>(PLAN_KEY);
  if (!survey) {
    survey = await surveyLegacy(deps, head);
    await store.set(PLAN_KEY, survey);
  }
  const log = store.log<AuditEntry>(AUDIT_LOG);
  const length = await log.length();
  let end: ChainEnd = { length, last: length > 0 ? await log.get(length) : undefined };
  if (end.last?.id !== UPGRADED_ID) {
    const copied = /^legacy-(\d+)$/.exec(end.last?.id ?? "");
    for (let next = copied ? Number(copied[1]) + 1 : survey.first; next <= survey.head; next += CHUNK) {
      check();
      const seqs = Array.from({ length: Math.min(CHUNK, survey.head - next + 1) }, (_, i) => next + i);
      const legacy = await Promise.all(seqs.map((seq) => store.get<LegacyEntry>(legacyEntryKey(seq))));
      const contents = seqs.flatMap((seq, i) => (legacy[i] ? [contentOf(legacyId(seq), legacy[i])] : []));
      if (contents.length > 0) end = await appendExactly(deps, end, contents);
      await Promise.all(seqs.map((seq) => store.delete(legacyEntryKey(seq))));
    }
    const result = survey.ok ? "success" : "failure";
    await appendExactly(deps, end, [
      { id: UPGRADED_ID, at: deps.clock(), actor: null, action: "audit_trail_upgraded", target: null, result, ip: "", userAgent: "", requestId: "" },
    ]);
  }
  check();
  await store.delete(LEGACY_HEAD);
  await store.delete(PLAN_KEY);
  return survey;
}

const contentOf = (id: string, e: LegacyEntry): AuditContent => ({
  id,
  at: e.at,
  actor: e.actor,
  action: e.action,
  target: e.target,
  result: e.result,
  ip: e.ip,
  userAgent: e.userAgent,
  requestId: e.requestId,
});

async function appendExactly({ store, key }: AuditUpgradeDeps, end: ChainEnd, contents: AuditContent[]): Promise<ChainEnd> {
  const entries = chainEntries(key, end, contents);
  const answer = await store.log<AuditEntry>(AUDIT_LOG).appendAfter(end.length, entries);
  // Only the holder of the claim writes the trail during an upgrade: a refusal means it no longer holds it.
  if (!answer.appended) throw new LeaseLostError("the audit trail moved during its upgrade");
  return { length: end.length + entries.length, last: entries.at(-1) };
}

/**
 * Checks the legacy chain from its newest entry back, as the earlier
 * verification did (stopping at the first missing entry, which is a break
 * unless it had aged out), and finds the oldest entry still there.
 */
async function surveyLegacy({ store, clock, key, retentionMs }: AuditUpgradeDeps, headHint: number): Promise<LegacyAuditSurvey> {
  // The head was moved after each entry was claimed: entries past it may exist.
  let head = headHint;
  while ((await store.get(legacyEntryKey(head + 1))) !== undefined) head += 1;
  let checked = 0;
  let brokenAt: number | undefined;
  let newer: LegacyEntry | undefined;
  let gap = false;
  let first = head + 1;
  for (let top = head; top > 0; top -= CHUNK) {
    const seqs = Array.from({ length: Math.min(CHUNK, top) }, (_, i) => top - i);
    const entries = await Promise.all(seqs.map((seq) => store.get<LegacyEntry>(legacyEntryKey(seq))));
    entries.forEach((entry, i) => {
      const seq = seqs[i]!;
      if (!entry) {
        if (!gap && brokenAt === undefined && !agedOut(newer, retentionMs, clock())) brokenAt = seq;
        gap = true;
        return;
      }
      first = seq;
      if (gap || brokenAt !== undefined) return;
      const { hash, ...content } = entry;
      if (entry.seq !== seq || legacyMac(key, content) !== hash) brokenAt = seq;
      else if (newer && newer.prevHash !== hash) brokenAt = newer.seq;
      else checked += 1;
      newer = entry;
    });
  }
  if (!gap && brokenAt === undefined && newer && newer.prevHash !== GENESIS) brokenAt = newer.seq;
  return brokenAt === undefined ? { first, head, ok: true, checked } : { first, head, ok: false, checked, brokenAt };
}

// The entry after a missing one says, under its MAC, when its predecessor was written or that there was none.
const agedOut = (newer: LegacyEntry | undefined, retentionMs: number, now: number): boolean =>
  newer !== undefined && (newer.prevHash === GENESIS || (newer.prevAt !== null && newer.prevAt + retentionMs <= now));
