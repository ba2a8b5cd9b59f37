import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "@redis/client";
import { createRedisBackend, createStore, sortableTime, StoreUnavailableError, type Store } from "../src/index.js";
import { REDIS_URL, redisAvailable } from "./redis-available.js";
import { redisServerInstalled, startRedisServer } from "../src/testing/index.js";

const hasRedis = await redisAvailable();
const appender = fileURLToPath(new URL("./fixtures/append-many.ts", import.meta.url));

/** The part of a key Redis Cluster hashes (its hash tag), as the cluster specification defines it. */
function hashTag(key: string): string {
  const open = key.indexOf("{");
  const close = open === -1 ? -1 : key.indexOf("}", open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

describe.skipIf(!hasRedis)("collections on redis", () => {
  const admin = createClient({ url: REDIS_URL });
  const opened: Store[] = [];
  const open = async () => {
    const prefix = `test:${randomUUID()}:`;
    const store = createStore(await createRedisBackend({ url: REDIS_URL }), prefix);
    opened.push(store);
    if (!admin.isOpen) await admin.connect();
    return { store, prefix, keys: () => admin.keys(`{${prefix}*`) };
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    if (admin.isOpen) await admin.close();
  });

  it("keeps all keys of one collection under one hash tag, so each script stays in one cluster slot", async () => {
    const { store, prefix, keys } = await open();
    await store.index("sessions:u1").add("s1", sortableTime(1), { ttlMs: 60_000 });
    await store.index("users").add("u1", sortableTime(1));
    await store.log("activity:u1").append("login");
    const all = await keys();
    expect(all.sort()).toEqual(
      [
        `{${prefix}sessions:u1}:sorted`,
        `{${prefix}sessions:u1}:keys`,
        `{${prefix}sessions:u1}:expiring`,
        `{${prefix}users}:sorted`,
        `{${prefix}users}:keys`,
        `{${prefix}activity:u1}:log`,
      ].sort(),
    );
    for (const key of all) expect(hashTag(key)).toBe(key.slice(1, key.indexOf("}")));
    expect(() => store.index("a{b}")).toThrow(/braces/);
  });

  it("lets Redis expire an index whose members all expire and a log left idle, untouched", async () => {
    const { store, prefix } = await open();
    const sessions = store.index("sessions:u1");
    await sessions.add("s1", "1", { ttlMs: 30_000 });
    await sessions.add("s2", "2", { ttlMs: 60_000 });
    // Every key of the index expires with its last member.
    for (const suffix of ["sorted", "keys", "expiring"]) {
      const ttl = await admin.pTTL(`{${prefix}sessions:u1}:${suffix}`);
      expect(ttl).toBeGreaterThan(30_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
    // A member without a TTL keeps the index for good.
    await sessions.add("s3", "3");
    expect(await admin.pTTL(`{${prefix}sessions:u1}:sorted`)).toBe(-1);
    await sessions.remove("s3");
    expect(await admin.pTTL(`{${prefix}sessions:u1}:sorted`)).toBeGreaterThan(30_000);

    await store.log("activity:u1").append("login", { idleTtlMs: 45_000 });
    const ttl = await admin.pTTL(`{${prefix}activity:u1}:log`);
    expect(ttl).toBeGreaterThan(40_000);
    expect(ttl).toBeLessThanOrEqual(45_000);
  });

  it("gives concurrent appends from three processes gap-free positions, none lost and none twice", { timeout: 60_000 }, async () => {
    const { store, prefix } = await open();
    const run = () =>
      new Promise<number[]>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", appender, REDIS_URL, prefix, "shared", "150"], { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
        child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`appender exited ${code}`))));
      });
    const log = store.log<{ pid: number; i: number }>("shared");
    const [a, b, mine] = await Promise.all([run(), run(), Promise.all(Array.from({ length: 150 }, (_, i) => log.append({ pid: process.pid, i })))]);
    expect([...a, ...b, ...mine].sort((x, y) => x - y)).toEqual(Array.from({ length: 450 }, (_, i) => i + 1));
    expect(await log.length()).toBe(450);
    expect(await store.index("shared").count()).toBe(2);
  });
});

const hasRedisServer = redisServerInstalled();
if (!hasRedisServer && process.env.CI === "true") throw new Error("CI=true but redis-server is not installed");
if (!hasRedisServer) console.warn("Skipping: no redis-server binary on PATH.");

describe.skipIf(!hasRedisServer)("collections on a redis that stops answering", () => {
  it("fail every call with StoreUnavailableError, then work again once it answers", { timeout: 30_000 }, async () => {
    const redis = await startRedisServer();
    const store = createStore(await createRedisBackend({ url: redis.url, commandTimeoutMs: 200 }), "t:");
    try {
      const index = store.index("users");
      const log = store.log<string>("audit");
      await index.add("u1", "a");
      await log.append("first");
      redis.hang();
      const calls = [
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
      for (const call of calls) await expect(call).rejects.toBeInstanceOf(StoreUnavailableError);
      redis.resume();
      // The commands that timed out had been sent: Redis may still run them once it wakes, so only new calls are checked.
      await index.add("u3", "c");
      expect(await index.keyOf("u3")).toBe("c");
      const position = await log.append("after");
      expect(await log.get(position)).toBe("after");
    } finally {
      redis.resume();
      await store.close();
      await redis.stop();
    }
  });
});
