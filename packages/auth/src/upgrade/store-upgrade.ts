import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../log.js";
import { claimLease, LeaseLostError } from "./lease.js";
import { upgradeLegacyAudit, type AuditUpgradeDeps } from "./legacy-audit.js";
import { upgradeLegacyUsers, type UsersUpgradeDeps } from "./legacy-users.js";
import { UPGRADE_KEYS } from "../store-keys.js";

/** The store's data format: 2 holds users, sessions, API keys, activity and the audit trail in indexes and logs. */
export const STORE_FORMAT = 2;
const FORMAT_KEY = UPGRADE_KEYS.format;
const LEASE_KEY = UPGRADE_KEYS.lease;
const LEASE_MS = 30_000;
const POLL_MS = 100;

export type StoreUpgradeDeps = UsersUpgradeDeps & Omit<AuditUpgradeDeps, "store" | "clock"> & { logger: Logger };

/**
 * Brings a store written by an earlier version to the current format, once,
 * before this instance serves. Of several instances starting together, the
 * one that claims the upgrade does it and the others wait for the format
 * mark; if the claimant stops part-way, its claim expires and another
 * resumes (every step can be repeated). A store already in the format costs
 * one read. Instances of the earlier version must be stopped first: they
 * would keep writing the old format.
 */
export async function upgradeStore(deps: StoreUpgradeDeps): Promise<void> {
  const { store, clock, logger } = deps;
  let waiting = false;
  for (;;) {
    if (((await store.get<number>(FORMAT_KEY)) ?? 0) >= STORE_FORMAT) return;
    const lease = await claimLease(store, clock, LEASE_KEY, LEASE_MS);
    if (!lease) {
      if (!waiting) logger.info({ event: "store_upgrade_waiting" }, "another instance is upgrading the store; waiting for it");
      waiting = true;
      await sleep(POLL_MS);
      continue;
    }
    try {
      const started = Date.now();
      const users = await upgradeLegacyUsers(deps, lease.check);
      const audit = await upgradeLegacyAudit(deps, lease.check);
      lease.check();
      await store.set(FORMAT_KEY, STORE_FORMAT);
      logger.info({ event: "store_upgraded", format: STORE_FORMAT, ...users, audit: audit ?? null, ms: Date.now() - started });
      if (audit && !audit.ok) logger.warn({ event: "audit_legacy_chain_broken", brokenAt: audit.brokenAt, checked: audit.checked });
      return;
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      logger.warn({ event: "store_upgrade_handed_over" }, "another instance took over the store upgrade");
    } finally {
      await lease.release().catch(() => undefined);
    }
  }
}
