import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createSqliteBackend, createStore, systemClock, type Store } from "../src/index.js";
import { tempSqlitePath } from "./backends.js";
import { createFakeClock } from "../src/testing/index.js";

const writer = fileURLToPath(new URL("./fixtures/write-until-killed.ts", import.meta.url));

describe("sqlite ownership: one process owns the file", () => {
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });

  it("refuses a second opener with a clear error while another process holds the file, and opens once it is gone", async () => {
    const path = tempSqlitePath();
    const child = spawn(process.execPath, ["--import", "tsx", writer, path, "1"], { stdio: ["ignore", "pipe", "inherit"] });
    const exited = once(child, "exit");
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => chunk.includes("ack 0") && resolve());
        child.on("exit", (code) => reject(new Error(`writer exited early (${code})`)));
      });
      expect(() => createSqliteBackend({ path, clock: systemClock, lockTimeoutMs: 100 })).toThrow(/in use by another process/);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    const store = createStore(createSqliteBackend({ path, clock: systemClock, lockTimeoutMs: 100 }));
    open.push(store);
    expect(await store.get("k0")).toEqual({ i: 0 });
  });

  it("refuses a second backend on the same file in the same process until the first closes", async () => {
    const path = tempSqlitePath();
    const first = createStore(createSqliteBackend({ path, clock: systemClock }));
    await first.set("k", 1);
    expect(() => createSqliteBackend({ path, clock: systemClock, lockTimeoutMs: 50 })).toThrow(/in use by another process/);
    await first.close();
    const second = createStore(createSqliteBackend({ path, clock: systemClock }));
    open.push(second);
    expect(await second.get("k")).toBe(1);
  });

  it("reads what the atomic operations wrote, whatever the read cache holds, with a cache smaller than the working set", async () => {
    const clock = createFakeClock();
    const path = tempSqlitePath();
    const store = createStore(createSqliteBackend({ path, clock: clock.now, readCacheEntries: 4 }));
    open.push(store);
    for (let i = 0; i < 10; i += 1) await store.set(`k${i}`, { v: i }, 1_000);
    for (let i = 0; i < 10; i += 1) expect(await store.get(`k${i}`)).toEqual({ v: i });
    // Each atomic operation below follows a cached read of the same key.
    expect(await store.setIfAbsent("k1", "other", 1_000)).toBe(false);
    expect(await store.take("k2")).toEqual({ v: 2 });
    expect(await store.get("k2")).toBeUndefined();
    expect(await store.update<{ v: number }>("k3", (current) => ({ v: (current?.v ?? 0) + 100 }))).toEqual({ v: 103 });
    expect(await store.get("k3")).toEqual({ v: 103 });
    expect(await store.get("hits")).toBeUndefined();
    expect(await store.increment("hits", 1_000)).toBe(1);
    expect(await store.get("hits")).toBe(1);
    await store.delete("k9");
    expect(await store.get("k9")).toBeUndefined();
    // Cached entries honour their expiry like the table does.
    clock.advance(1_000);
    expect(await store.get("k1")).toBeUndefined();
    expect(await store.get("k3")).toBeUndefined();
    expect(await store.setIfAbsent("k1", "again", 1_000)).toBe(true);
    expect(await store.get("k1")).toBe("again");
    // A restart (a new backend with an empty cache) sees the same state.
    await store.close();
    open.splice(0);
    const reopened = createStore(createSqliteBackend({ path, clock: clock.now }));
    open.push(reopened);
    expect(await reopened.get("k1")).toBe("again");
    expect(await reopened.get("k2")).toBeUndefined();
    expect(await reopened.get("k3")).toBeUndefined();
  });
});

describe("sqlite group commit", () => {
  it("commits the writes of one turn together: when one fails, all of them are rolled back and rejected, and the next group works", async () => {
    const backend = createSqliteBackend({ path: tempSqlitePath(), clock: systemClock });
    try {
      await backend.setIfAbsent("kept", JSON.stringify({ value: 0 }));
      const sibling = backend.setIfAbsent("sibling", JSON.stringify({ value: 1 }));
      const counted = backend.increment("hits", 1, 60_000);
      // NULL breaks the table's NOT NULL constraint: a real failure inside the group.
      const broken = backend.setIfAbsent("broken", null as unknown as string);
      const outcomes = await Promise.allSettled([sibling, counted, broken]);
      expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
      expect(await backend.getRaw("sibling")).toBeUndefined();
      expect(await backend.getRaw("hits")).toBeUndefined();
      expect(await backend.getRaw("kept")).toBe(JSON.stringify({ value: 0 }));
      expect(await backend.setIfAbsent("sibling", JSON.stringify({ value: 2 }))).toBe(true);
      expect(await backend.increment("hits", 1, 60_000)).toBe(1);
    } finally {
      await backend.close();
    }
  });
});
