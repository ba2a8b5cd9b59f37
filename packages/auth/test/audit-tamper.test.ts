import Database from "libsql";
import { describe, expect, it } from "vitest";
import { openStore } from "@gatehouse/store";
import { chainEntries } from "../src/features/audit/audit-chain.js";
import { createAuditTrail } from "../src/features/audit/audit-trail.js";
import { createFakeClock } from "@gatehouse/store/testing";
import { sqliteUrl } from "./stores.js";
import { AUDIT_TEST_KEY, auditSample } from "./support/audit-samples.js";

const LOG = "gh:audit";

/**
 * Someone who can write to the store but has no key: edits the SQLite file
 * directly while no server holds it, then a server verifies the trail.
 */
describe("audit trail tampered with in the store", () => {
  const clock = createFakeClock();
  const url = sqliteUrl();
  const path = url.slice("sqlite://".length);

  const withStore = async <T>(work: (trail: ReturnType<typeof createAuditTrail>) => Promise<T>): Promise<T> => {
    const store = await openStore(url, { clock: clock.now });
    try {
      return await work(createAuditTrail(store, clock.now, 365, AUDIT_TEST_KEY));
    } finally {
      await store.close();
    }
  };
  const verify = () => withStore((trail) => trail.verify());
  const tamper = (statements: (db: Database.Database) => void) => {
    const db = new Database(path);
    try {
      db.transaction(() => statements(db))();
    } finally {
      db.close();
    }
  };
  const rows = () => {
    const db = new Database(path);
    try {
      return db.prepare("SELECT position, value FROM log_entries WHERE name = ? ORDER BY position").all(LOG) as Array<{ position: number; value: string }>;
    } finally {
      db.close();
    }
  };
  const put = (db: Database.Database, position: number, value: string) =>
    db.prepare("INSERT OR REPLACE INTO log_entries (name, position, value) VALUES (?, ?, ?)").run(LOG, position, value);
  const remove = (db: Database.Database, position: number) => db.prepare("DELETE FROM log_entries WHERE name = ? AND position = ?").run(LOG, position);
  const edit = (value: string, change: Record<string, unknown>) => JSON.stringify({ value: { ...JSON.parse(value).value, ...change } });

  it("reports an edited, deleted, reordered, re-forged or renumbered entry, and a cut-off oldest or newest one, at its position", async () => {
    await withStore(async (trail) => {
      for (let i = 1; i <= 6; i += 1) await trail.append(auditSample(i));
    });
    expect(await verify()).toEqual({ ok: true, checked: 6 });
    const original = rows();
    const restore = () => tamper((db) => original.forEach((row) => put(db, row.position, row.value)));
    const at = (position: number) => original[position - 1]!.value;

    tamper((db) => put(db, 4, edit(at(4), { actor: "someone-else" })));
    expect(await verify()).toMatchObject({ ok: false, brokenAt: 4 });
    restore();
    expect(await verify()).toEqual({ ok: true, checked: 6 });

    tamper((db) => remove(db, 3));
    expect(await verify()).toMatchObject({ ok: false, brokenAt: 3 });
    restore();

    tamper((db) => {
      put(db, 2, at(5));
      put(db, 5, at(2));
    });
    expect(await verify()).toMatchObject({ ok: false, brokenAt: 2 });
    restore();

    // The deleted entry 3 closed up by moving 4–6 down one, each relabelled with its new position.
    tamper((db) => {
      for (let p = 3; p <= 5; p += 1) put(db, p, edit(at(p + 1), { seq: p }));
      remove(db, 6);
      db.prepare("UPDATE logs SET length = 5 WHERE name = ?").run(LOG);
    });
    expect(await verify()).toMatchObject({ ok: false, brokenAt: 3 });
    restore();
    tamper((db) => db.prepare("UPDATE logs SET length = 6 WHERE name = ?").run(LOG));
    expect(await verify()).toEqual({ ok: true, checked: 6 });

    // Re-forged, linked and MAC'd the way the server does, but under a key other than the server's.
    const [entry1, entry2] = [JSON.parse(at(1)).value, JSON.parse(at(2)).value];
    const [forged] = chainEntries(new TextEncoder().encode("not-the-server-key-not-the-key!!"), { length: 1, last: entry1 }, [{ ...entry2, actor: "forged" }]);
    tamper((db) => put(db, 2, JSON.stringify({ value: forged })));
    expect(await verify()).toMatchObject({ ok: false, brokenAt: 2 });
    restore();

    tamper((db) => remove(db, 1));
    expect(await verify()).toMatchObject({ ok: false, brokenAt: 1 });
    restore();

    tamper((db) => remove(db, 6));
    expect(await verify()).toMatchObject({ ok: false, brokenAt: 6 });
    restore();
    expect(await verify()).toEqual({ ok: true, checked: 6 });
  });
});
