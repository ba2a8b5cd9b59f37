import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createClient } from "@redis/client";
import { availableKinds, backendKinds, type BackendKind, type BackendUnderTest } from "./backends.js";
import { stopSharedServices } from "./services.js";
import { REDIS_URL } from "./redis-available.js";

const available = await availableKinds();
const hasRedis = available.redis;
afterAll(stopSharedServices);

describe.each(Object.keys(backendKinds) as BackendKind[])("store on %s", (kind) => {
  const skip = !available[kind];
  let subject: BackendUnderTest;
  const opened: Array<{ close(): Promise<void> }> = [];

  const open = async (): Promise<BackendUnderTest> => {
    subject = await backendKinds[kind]();
    opened.push(subject.store);
    return subject;
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  it.skipIf(skip)("reads back what it wrote, through Keyv and the atomic operations alike", async () => {
    const { store } = await open();
    await store.set("a", { n: 1, s: ":colon", list: [1, 2] });
    expect(await store.get("a")).toEqual({ n: 1, s: ":colon", list: [1, 2] });
    expect(await store.setIfAbsent("b", { via: "atomic" })).toBe(true);
    expect(await store.get("b")).toEqual({ via: "atomic" });
    expect(await store.take("a")).toEqual({ n: 1, s: ":colon", list: [1, 2] });
    expect(await store.get("a")).toBeUndefined();
    expect(await store.delete("b")).toBe(true);
    expect(await store.get("b")).toBeUndefined();
    expect(await store.get("never-written")).toBeUndefined();
  });

  it.skipIf(skip)("hands every reader of an unchanged entry one frozen value, and a fresh one after a write", async () => {
    const { store } = await open();
    await store.set("record", { name: "a", nested: { roles: ["user"] } });
    const first = await store.get<{ name: string; nested: { roles: string[] } }>("record");
    expect(await store.get("record")).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first!.nested) && Object.isFrozen(first!.nested.roles)).toBe(true);
    // Shared means nobody may change it in place (ES modules are strict: the write throws).
    expect(() => {
      first!.nested.roles.push("admin");
    }).toThrow(TypeError);
    await store.update<{ name: string }>("record", (r) => ({ ...r!, name: "b" }));
    expect(await store.get("record")).toEqual({ name: "b", nested: { roles: ["user"] } });
    expect(await store.get("record")).not.toBe(first);
    // Big values are parsed per read, and frozen all the same: no reader may depend on a value's size.
    await store.set("big", { text: "x".repeat(5000), list: [1] });
    const big = await store.get<{ list: number[] }>("big");
    expect(Object.isFrozen(big) && Object.isFrozen(big!.list)).toBe(true);
  });

  it.skipIf(skip)("expires entries after their TTL", async () => {
    const { store, advance } = await open();
    await store.set("short", "v", 100);
    expect(await store.setIfAbsent("claim", "first", 100)).toBe(true);
    await store.increment("count", 100);
    expect(await store.get("short")).toBe("v");
    await advance(250);
    expect(await store.get("short")).toBeUndefined();
    expect(await store.take("claim")).toBeUndefined();
    // An expired claim is absent: the next caller may claim again.
    expect(await store.setIfAbsent("claim", "second", 1_000)).toBe(true);
    expect(await store.increment("count", 1_000)).toBe(1);
  });

  it.skipIf(skip)("setIfAbsent has exactly one winner among 50 concurrent callers", async () => {
    const { store, openPeer } = await open();
    const peer = await openPeer();
    opened.push(peer);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? peer : store).setIfAbsent("email:x", `user-${i}`, 10_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await store.get("email:x")).toBe(`user-${winner}`);
  });

  it.skipIf(skip)("take has exactly one winner among 50 concurrent callers", async () => {
    const { store, openPeer } = await open();
    const peer = await openPeer();
    opened.push(peer);
    await store.set("reset:token", { userId: "u1" }, 10_000);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? peer : store).take("reset:token")));
    expect(results.filter((r) => r !== undefined)).toEqual([{ userId: "u1" }]);
  });

  // The concurrent calls run on counters that outlive them however slow the backend (a Postgres commit is a disk
  // flush); the TTL is checked on counters of their own, a few calls each.
  it.skipIf(skip)("increment counts every one of 200 concurrent calls and keeps its first TTL", async () => {
    const { store, openPeer, advance } = await open();
    const peer = await openPeer();
    opened.push(peer);
    const counts = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? peer : store).increment("hits", 60_000)));
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(await store.get("hits")).toBe(200);
    expect(await store.increment("window", 300)).toBe(1);
    await advance(150);
    expect(await peer.increment("window", 300, 5)).toBe(6);
    await advance(250);
    // Had the second increment extended the TTL, the counter would still be 6 here.
    expect(await store.increment("window", 300)).toBe(1);
  });

  it.skipIf(skip)("incrementAndRead counts like increment and reads the other counter in the same step", async () => {
    const { store, openPeer, advance } = await open();
    const peer = await openPeer();
    opened.push(peer);
    expect(await store.incrementAndRead("rl:{k}:2", 60_000, "rl:{k}:1")).toEqual({ count: 1, read: undefined });
    await store.increment("rl:{k}:1", 60_000, 7);
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? peer : store).incrementAndRead("rl:{k}:2", 60_000, "rl:{k}:1")));
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 2));
    expect(results.every((r) => r.read === 7)).toBe(true);
    // It shares increment's counter and keeps the TTL from the counter's creation.
    expect(await store.increment("rl:{k}:2", 60_000)).toBe(102);
    expect(await store.incrementAndRead("rl:{w}:2", 300, "rl:{w}:1")).toEqual({ count: 1, read: undefined });
    await store.increment("rl:{w}:1", 300, 7);
    await advance(150);
    expect(await peer.incrementAndRead("rl:{w}:2", 300, "rl:{w}:1")).toEqual({ count: 2, read: 7 });
    await advance(250);
    // Had the later calls renewed the TTL, the count would go on at 3; the other counter expired with its own.
    expect(await store.incrementAndRead("rl:{w}:2", 300, "rl:{w}:1")).toEqual({ count: 1, read: undefined });
  });

  it.skipIf(skip)("update loses no write among 40 concurrent read-modify-writes", async () => {
    const { store, openPeer } = await open();
    const peer = await openPeer();
    opened.push(peer);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? peer : store).update<{ items: number[] }>("list", (current) => ({
          items: [...(current?.items ?? []), i],
        })),
      ),
    );
    const final = await store.get<{ items: number[] }>("list");
    expect([...(final?.items ?? [])].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(await store.update("list", () => undefined)).toBeUndefined();
    expect(await store.get("list")).toBeUndefined();
  });

  it.skipIf(skip)("update keeps the entry's expiry unless given a new TTL", async () => {
    const { store, advance } = await open();
    await store.set("session", { v: 1 }, 200);
    await store.update<{ v: number }>("session", (s) => (s ? { v: s.v + 1 } : undefined));
    expect(await store.get("session")).toEqual({ v: 2 });
    await advance(300);
    expect(await store.get("session")).toBeUndefined();
    await store.update<{ v: number }>("fresh", () => ({ v: 1 }), { ttlMs: 200 });
    await advance(300);
    expect(await store.get("fresh")).toBeUndefined();
  });

  it.skipIf(skip)("answers ping while reachable", async () => {
    const { store } = await open();
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

// Redis expires keys itself; the local backends must sweep theirs.
describe.each(["memory", "sqlite"] as const)("expired entries on %s", (kind) => {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  it("purges expired entries so the backend does not grow without bound", async () => {
    const { store, local, advance } = await backendKinds[kind]();
    opened.push(store);
    await Promise.all(Array.from({ length: 500 }, (_, i) => store.set(`ip:${i}`, i, 1_000)));
    await store.set("keep", true);
    expect(local?.countEntries()).toBe(501);
    await advance(2_000);
    expect(local?.sweep()).toBe(500);
    expect(local?.countEntries()).toBe(1);
  });
});

describe("scripts on redis", () => {
  it.skipIf(!hasRedis)("keep working after Redis forgets them (a restart, SCRIPT FLUSH, a new replica)", async () => {
    const { store } = await backendKinds.redis();
    const admin = createClient({ url: REDIS_URL });
    await admin.connect();
    try {
      expect(await store.increment("count", 60_000)).toBe(1);
      await admin.sendCommand(["SCRIPT", "FLUSH"]);
      expect(await store.increment("count", 60_000)).toBe(2);
      await admin.sendCommand(["SCRIPT", "FLUSH"]);
      expect(await store.update<number>("n", (n = 0) => n + 1)).toBe(1);
      expect(await store.get("n")).toBe(1);
    } finally {
      await admin.close();
      await store.close();
    }
  });
});
