import { afterAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createPostgresBackend, createStore, sortableTime, StoreUnavailableError, type Store } from "../src/index.js";
import { createTemporaryDatabase, startTcpProxy } from "../src/testing/index.js";
import { POSTGRES_URL, postgresAvailable, sharedDatabase, stopSharedServices } from "./services.js";

const hasPostgres = await postgresAvailable();
afterAll(stopSharedServices);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function rowCounts(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const counts: Record<string, number> = {};
    for (const table of ["gatehouse_kv", "gatehouse_index_members", "gatehouse_index_sizes", "gatehouse_logs", "gatehouse_log_entries"]) {
      counts[table] = Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    }
    counts.sessionSizes = Number((await client.query("SELECT count(*) AS n FROM gatehouse_index_sizes WHERE name LIKE 't:sessions:%'")).rows[0].n);
    return counts;
  } finally {
    await client.end();
  }
}

describe.skipIf(!hasPostgres)("store on postgres", () => {
  it("creates its tables once when several instances start together on an empty database", { timeout: 60_000 }, async () => {
    const db = await createTemporaryDatabase(POSTGRES_URL);
    try {
      const backends = await Promise.all(Array.from({ length: 6 }, () => createPostgresBackend({ url: db.url })));
      const stores = backends.map((backend) => createStore(backend, "t:"));
      const positions = await Promise.all(stores.map((store) => store.log("audit").append("started")));
      expect(positions.sort()).toEqual([1, 2, 3, 4, 5, 6]);
      await Promise.all(stores.map((store) => store.close()));
    } finally {
      await db.drop();
    }
  });

  it("expires what Keyv wrote with a TTL for the atomic operations too", async () => {
    const { url } = await sharedDatabase();
    const store = createStore(await createPostgresBackend({ url }), `t:${Date.now()}:`);
    try {
      await store.set("claim", "held", 300);
      await store.set("token", "secret", 300);
      expect(await store.setIfAbsent("claim", "mine")).toBe(false);
      await sleep(400);
      // Keyv put the expiry inside the value; the statements see it all the same.
      expect(await store.setIfAbsent("claim", "mine")).toBe(true);
      expect(await store.take("token")).toBeUndefined();
      expect(await store.update<string>("token", (current) => current ?? "fresh")).toBe("fresh");
      expect(await store.get("token")).toBe("fresh");
    } finally {
      await store.close();
    }
  });

  it("sweeps expired entries, expired index members and idle logs, leaving counts and sizes right", { timeout: 30_000 }, async () => {
    const db = await createTemporaryDatabase(POSTGRES_URL);
    const backend = await createPostgresBackend({ url: db.url, sweepIntervalMs: 3_600_000 });
    const store = createStore(backend, "t:");
    try {
      await Promise.all(Array.from({ length: 30 }, (_, i) => store.set(`ip:${i}`, i, 300)));
      await store.increment("attempts", 300);
      await store.set("keep", true);
      await Promise.all(Array.from({ length: 40 }, (_, i) => store.index(`sessions:${i % 4}`).add(`s${i}`, sortableTime(i), { ttlMs: 300 })));
      await store.index("users").add("u1", "a");
      await store.index("users").add("u2", "b", { ttlMs: 300 });
      await Promise.all(Array.from({ length: 12 }, (_, i) => store.log(`activity:${i % 3}`).append(i, { idleTtlMs: 300 })));
      await store.log("audit").append("kept");
      await sleep(400);
      expect(await backend.sweep()).toBe(31 + 41 + 12);
      const rows = await rowCounts(db.url);
      // The emptied indexes leave no size rows behind.
      expect(rows).toMatchObject({ gatehouse_kv: 1, gatehouse_index_members: 1, gatehouse_logs: 1, gatehouse_log_entries: 1, sessionSizes: 0 });
      expect(await store.index("users").count()).toBe(1);
      expect(await store.index("sessions:0").count()).toBe(0);
      expect(await store.index("sessions:0").add("s0", "again")).toBe(true);
      expect(await store.index("sessions:0").count()).toBe(1);
      expect(await store.log("activity:0").length()).toBe(0);
      expect(await store.get("keep")).toBe(true);
    } finally {
      await store.close();
      await db.drop();
    }
  });

  describe("while Postgres is away", () => {
    const calls = (store: Store) => {
      const index = store.index("users");
      const log = store.log<string>("audit");
      return [
        store.get("k"),
        store.set("k", 1),
        store.delete("k"),
        store.setIfAbsent("k", 1),
        store.take("k"),
        store.increment("n", 1_000),
        store.incrementAndRead("n", 1_000, "m"),
        store.update("k", () => 2),
        store.ping(),
        index.add("u2", "b"),
        index.remove("u1"),
        index.keyOf("u1"),
        index.page({ limit: 5 }),
        index.count(),
        index.drop(),
        log.append("x"),
        log.appendAfter(1, ["x"]),
        log.get(1),
        log.page({ limit: 5 }),
        log.length(),
        log.trim(1),
        log.drop(),
      ];
    };

    it.each(["cut", "hang"] as const)(
      "fails every call with StoreUnavailableError when the connection is %s, then works again",
      { timeout: 60_000 },
      async (outage) => {
        const { url } = await sharedDatabase();
        const proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(url).port || 5432) });
        const through = new URL(url);
        through.port = String(proxy.port);
        const store = createStore(await createPostgresBackend({ url: through.toString(), commandTimeoutMs: 300 }), `t:${outage}:`);
        try {
          await store.index("users").add("u1", "a");
          await store.log("audit").append("first");
          proxy[outage]();
          const results = await Promise.allSettled(calls(store));
          for (const result of results) {
            expect(result.status).toBe("rejected");
            expect((result as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
          }
          proxy.restore();
          await expect(store.ping()).resolves.toBeUndefined();
          await store.set("after", "back");
          expect(await store.get("after")).toBe("back");
          expect(await store.index("users").keyOf("u1")).toBe("a");
          expect(await store.log<string>("audit").append("again")).toBeGreaterThan(1);
        } finally {
          proxy.restore();
          await store.close();
          await proxy.close();
        }
      },
    );
  });
});
