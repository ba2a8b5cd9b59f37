import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMemoryBackend, createStore, openStore, type Store } from "@gatehouse/store";
import { deriveSubKey } from "../src/crypto/sub-keys.js";
import { chainEntries, EMPTY_CHAIN, type AuditContent } from "../src/features/audit/audit-chain.js";
import { createUserStore } from "../src/features/users/user-store.js";
import { createFakeClock, type FakeClock } from "@gatehouse/store/testing";
import { dataOf, GOOD_PASSWORD, startServer, TEST_DATA_KEY, uniqueEmail, type InputOf, type ProcedurePath, type TestServer } from "./harness.js";
import { legacyKeys, seedLegacyStore } from "./legacy-format.js";
import { closeWhenTestEnds } from "./support/cleanup.js";
import { hasRedis, REDIS_URL } from "./redis.js";

type Opened = { clock: FakeClock; stores: [Store, Store]; close(): Promise<void> };

/** Two handles on one store, as two instances have: the same object in memory, two connections on Redis. */
const backends: Array<[string, () => Promise<Opened>, boolean]> = [
  [
    "memory",
    async () => {
      const clock = createFakeClock();
      const store = createStore(createMemoryBackend({ clock: clock.now }));
      return { clock, stores: [store, store], close: () => store.close() };
    },
    true,
  ],
  [
    "redis",
    async () => {
      const clock = createFakeClock();
      const prefix = `test:${randomUUID()}:`;
      const stores = (await Promise.all([0, 1].map(() => openStore(REDIS_URL, { clock: clock.now, prefix })))) as [Store, Store];
      return { clock, stores, close: async () => void (await Promise.all(stores.map((s) => s.close()))) };
    },
    hasRedis,
  ],
];

async function adminOf(server: TestServer): Promise<string> {
  const data = dataOf(await server.call("auth.signup", { email: uniqueEmail("admin"), password: GOOD_PASSWORD }, { mode: "token" }));
  await server.services.users.update(data.user.id, (u) => ({ ...u, role: "admin" }));
  return data.accessToken as string;
}

const upgradeLines = (...servers: TestServer[]) => servers.flatMap((s) => s.logLines()).filter((l) => l.event === "store_upgraded");

describe.each(backends)("upgrading a store of the earlier format on %s", (_name, open, available) => {
  it.skipIf(!available)("two instances starting together upgrade it once, and it reads back complete and correct", async () => {
    const { clock, stores, close } = await open();
    closeWhenTestEnds(close);
    const seed = await seedLegacyStore(stores[0], clock.now());
    const [a, b] = await Promise.all([startServer({ clock, store: stores[0] }), startServer({ clock, store: stores[1] })]);
    expect(upgradeLines(a, b)).toHaveLength(1);
    expect(upgradeLines(a, b)[0]).toMatchObject({ users: 5, sessions: 1, apiKeys: 1, activityLogs: 1, audit: { ok: true, checked: 4, first: 1, head: 4 } });
    for (const key of legacyKeys(seed)) expect(await stores[0].get(key), key).toBeUndefined();

    const token = await adminOf(b);
    const query = <P extends ProcedurePath>(server: TestServer, procedure: P, input: InputOf<P>, bearer = token) =>
      server.call(procedure, input, { query: true, bearer }).then((r) => dataOf(r));
    // The earlier users, newest first after the admin; the id without a record is not listed.
    const listed = await query(a, "admin.listUsers", { limit: 100 });
    expect(listed.items.slice(1).map((u: { id: string }) => u.id)).toEqual([...seed.userIds].reverse());
    expect((await query(b, "admin.listUsers", { email: "legacy3@" })).items.map((u: { id: string }) => u.id)).toEqual([seed.userIds[3]]);

    // The owner's live session, live key and activity, seen through the owner's own session.
    const owner = await a.services.users.get(seed.owner.id);
    const ownerToken = await a.services.accessTokens.sign({
      userId: owner!.id,
      sessionId: seed.owner.liveSession,
      role: "user",
      authTime: Math.floor(clock.now() / 1000),
    });
    expect((await query(a, "sessions.list", undefined, ownerToken)).map((s: { id: string }) => s.id)).toEqual([seed.owner.liveSession]);
    expect((await query(b, "apiKeys.list", undefined, ownerToken)).map((k: { id: string }) => k.id)).toEqual([seed.owner.liveKey]);
    expect((await query(a, "activity.list", {}, ownerToken)).items.map((e: { event: string }) => e.event)).toEqual(["logout", "login_success", "signup"]);

    // The earlier trail, in order, then the upgrade's own entry, then what happened since; one chain.
    const trail = await query(b, "admin.auditLog", { limit: 100 });
    expect(trail.items.map((e: { action: string }) => e.action).reverse()).toEqual([...seed.auditActions, "audit_trail_upgraded", "signup"]);
    expect(trail.items.find((e: { action: string }) => e.action === "audit_trail_upgraded")?.result).toBe("success");
    expect(await query(a, "admin.verifyAuditLog", undefined)).toEqual({ ok: true, checked: 6 });

    // Started again, it finds the format mark and does nothing more.
    const again = await startServer({ clock, store: stores[1] });
    expect(upgradeLines(again)).toHaveLength(0);
    expect(await query(again, "admin.verifyAuditLog", undefined)).toEqual({ ok: true, checked: 6 });
  });
});

describe("store upgrade", () => {
  it("records a legacy chain that was already broken as a failed upgrade entry, rather than laundering it", async () => {
    const clock = createFakeClock();
    const store = createStore(createMemoryBackend({ clock: clock.now }));
    closeWhenTestEnds(() => store.close());
    await seedLegacyStore(store, clock.now(), { breakAuditAt: 3 });
    const server = await startServer({ clock, store });
    expect(upgradeLines(server)[0]).toMatchObject({ audit: { ok: false, brokenAt: 3 } });
    expect(server.logLines().some((l) => l.event === "audit_legacy_chain_broken" && l.brokenAt === 3)).toBe(true);
    const token = await adminOf(server);
    const trail = dataOf(await server.call("admin.auditLog", { limit: 100 }, { query: true, bearer: token }));
    expect(trail.items.find((e: { action: string }) => e.action === "audit_trail_upgraded")?.result).toBe("failure");
  });

  it("waits while another instance holds the upgrade, and resumes after it when that instance stopped part-way", async () => {
    const clock = createFakeClock();
    const store = createStore(createMemoryBackend({ clock: clock.now }));
    closeWhenTestEnds(() => store.close());
    const seed = await seedLegacyStore(store, clock.now());
    // An instance that claimed the upgrade, indexed two users, copied two audit entries, then died.
    await store.setIfAbsent("store-upgrade:lease", { owner: "stopped-instance", renewedAt: clock.now() }, 30_000);
    const users = createUserStore(store);
    for (const id of seed.userIds.slice(0, 2)) await users.index((await users.get(id))!);
    await store.set("store-upgrade:users-done", 2);
    const legacy = await Promise.all([1, 2].map((seq) => store.get<AuditContent>(`audit:${seq}`)));
    const copied = chainEntries(
      deriveSubKey(TEST_DATA_KEY, "audit chain"),
      EMPTY_CHAIN,
      legacy.map((e, i) => ({ ...e!, id: `legacy-${i + 1}` })),
    );
    await store.log("audit").appendAfter(0, copied);
    await store.delete("audit:1");

    let started = false;
    const starting = startServer({ clock, store }).then((server) => ((started = true), server));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(started).toBe(false);
    clock.advance(31_000);
    const server = await starting;
    expect(server.logLines().some((l) => l.event === "store_upgrade_waiting")).toBe(true);
    const token = await adminOf(server);
    const trail = dataOf(await server.call("admin.auditLog", { limit: 100 }, { query: true, bearer: token }));
    expect(trail.items.map((e: { action: string }) => e.action).reverse()).toEqual([...seed.auditActions, "audit_trail_upgraded", "signup"]);
    expect(dataOf(await server.call("admin.verifyAuditLog", undefined, { query: true, bearer: token }))).toEqual({ ok: true, checked: 6 });
    // The users the stopped instance had not reached are listed too, each once.
    expect(await server.services.users.count()).toBe(6);
  });
});
