import { afterAll, afterEach, describe, expect, it } from "vitest";
import { InvalidCollectionInputError, MAX_TRIM, sortableTime, type IndexEntry, type OrderedIndex, type Page, type Store } from "../src/index.js";
import { availableKinds, backendKinds, type BackendKind, type BackendUnderTest } from "./backends.js";
import { stopSharedServices } from "./services.js";

const available = await availableKinds();
afterAll(stopSharedServices);

const byKeyThenMember = (a: IndexEntry, b: IndexEntry): number =>
  a.key < b.key ? -1 : a.key > b.key ? 1 : a.member < b.member ? -1 : a.member > b.member ? 1 : 0;

/** Every page of an index from the start, following `nextCursor` to the end. */
async function pageAll(index: OrderedIndex, options: { order?: "asc" | "desc"; prefix?: string; limit: number }): Promise<IndexEntry[]> {
  const seen: IndexEntry[] = [];
  let page: Page<IndexEntry> = await index.page(options);
  seen.push(...page.items);
  while (page.nextCursor) {
    page = await index.page({ ...options, cursor: page.nextCursor });
    seen.push(...page.items);
  }
  return seen;
}

describe.each(Object.keys(backendKinds) as BackendKind[])("collections on %s", (kind) => {
  const skip = !available[kind];
  const opened: Array<{ close(): Promise<void> }> = [];

  const open = async (): Promise<BackendUnderTest & { peer: Store }> => {
    const subject = await backendKinds[kind]();
    const peer = await subject.openPeer();
    opened.push(subject.store, peer);
    return { ...subject, peer };
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  describe("ordered index", () => {
    it.skipIf(skip)("adds idempotently, moves a member to its new key, removes and counts", async () => {
      const { store } = await open();
      const index = store.index("people");
      expect(await index.add("u1", "b@x")).toBe(true);
      expect(await index.add("u1", "b@x")).toBe(false);
      expect(await index.add("u2", "a@x")).toBe(true);
      expect(await index.count()).toBe(2);
      expect(await index.keyOf("u1")).toBe("b@x");
      // A changed key moves the member; it is still there once.
      expect(await index.add("u1", "c@x")).toBe(false);
      expect(await index.keyOf("u1")).toBe("c@x");
      expect(await index.count()).toBe(2);
      expect((await index.page({ order: "asc", limit: 10 })).items).toEqual([
        { member: "u2", key: "a@x" },
        { member: "u1", key: "c@x" },
      ]);
      expect(await index.remove("u1")).toBe(true);
      expect(await index.remove("u1")).toBe(false);
      expect(await index.keyOf("u1")).toBeUndefined();
      expect(await index.count()).toBe(1);
      // Indexes are separate from each other and from plain keys of the same name.
      await store.set("people", "a plain value");
      expect(await store.index("others").count()).toBe(0);
      expect(await index.count()).toBe(1);
      await index.drop();
      expect(await index.count()).toBe(0);
      expect((await index.page({ limit: 10 })).items).toEqual([]);
      expect(await store.get("people")).toBe("a plain value");
    });

    it.skipIf(skip)("pages newest first by default, ascending on request, with cursors that walk either way", async () => {
      const { store } = await open();
      const index = store.index("users");
      const created = Date.UTC(2024, 0, 1);
      const entries: IndexEntry[] = [];
      // Three members per millisecond: ties are ordered by member.
      for (let i = 0; i < 25; i += 1) entries.push({ member: `user-${String(i).padStart(2, "0")}`, key: sortableTime(created + Math.floor(i / 3)) });
      await Promise.all(entries.map((e) => index.add(e.member, e.key)));
      const ascending = [...entries].sort(byKeyThenMember);

      const newestFirst = await pageAll(index, { limit: 7 });
      expect(newestFirst).toEqual([...ascending].reverse());
      expect(await pageAll(index, { order: "asc", limit: 4 })).toEqual(ascending);
      expect(await pageAll(index, { limit: 1_000 })).toEqual([...ascending].reverse());

      // The cursor after the first page names a position: ascending from it gives what came before it.
      const first = await index.page({ limit: 7 });
      const second = await index.page({ limit: 7, cursor: first.nextCursor! });
      expect(second.items).toEqual([...ascending].reverse().slice(7, 14));
      const back = await index.page({ order: "asc", limit: 3, cursor: first.nextCursor! });
      expect(back.items).toEqual(ascending.slice(19, 22));
      // Entries exactly filling the last page: no cursor to an empty page.
      const exact = await index.page({ order: "asc", limit: 25 });
      expect(exact.items).toHaveLength(25);
      expect(exact.nextCursor).toBeNull();
    });

    it.skipIf(skip)("keeps cursors stable while members are added and removed between and during pages", async () => {
      const { store, peer } = await open();
      const index = store.index("live");
      const key = (n: number) => sortableTime(1_000 + n);
      // Even numbers stay throughout; odd ones are removed and re-added while paging.
      await Promise.all(Array.from({ length: 200 }, (_, n) => index.add(`m${n}`, key(n))));
      const seen: IndexEntry[] = [];
      const paging = (async () => {
        let page = await index.page({ limit: 9 });
        seen.push(...page.items);
        while (page.nextCursor) {
          page = await index.page({ limit: 9, cursor: page.nextCursor });
          seen.push(...page.items);
        }
      })();
      const churn = (async () => {
        for (let n = 1; n < 200; n += 2) {
          await peer.index("live").remove(`m${n}`);
          await peer.index("live").add(`new${n}`, key(n));
        }
      })();
      await Promise.all([paging, churn]);

      const members = seen.map((e) => e.member);
      expect(new Set(members).size).toBe(members.length);
      for (let n = 0; n < 200; n += 2) expect(members).toContain(`m${n}`);
      // Strictly descending: nothing seen twice, nothing out of order.
      for (let i = 1; i < seen.length; i += 1) expect(byKeyThenMember(seen[i]!, seen[i - 1]!)).toBeLessThan(0);
      expect(await index.count()).toBe(200);
    });

    it.skipIf(skip)("finds by key prefix in both orders, with cursors, by code point", async () => {
      const { store } = await open();
      const index = store.index("emails");
      const rows: Array<[string, string]> = [
        ["u1", "alice@example.com"],
        ["u2", "alicia@example.org"],
        ["u3", "al@example.net"],
        ["u4", "bob@example.com"],
        ["u5", "al"],
        ["u6", "alé@example.com"],
        // U+E000 sorts before U+1F600 by code point (and in UTF-8), after it in UTF-16 units.
        ["u7", "al\u{1F600}@example.com"],
        ["u8", "al\u{E000}@example.com"],
        ["u9", "ak@example.com"],
      ];
      for (const [member, key] of rows) await index.add(member, key);
      const keys = (items: IndexEntry[]) => items.map((e) => e.key);

      const al = ["al", "al@example.net", "alice@example.com", "alicia@example.org", "alé@example.com", "al\u{E000}@example.com", "al\u{1F600}@example.com"];
      expect(keys(await pageAll(index, { order: "asc", prefix: "al", limit: 2 }))).toEqual(al);
      expect(keys(await pageAll(index, { order: "desc", prefix: "al", limit: 3 }))).toEqual([...al].reverse());
      expect(keys(await pageAll(index, { order: "asc", prefix: "ali", limit: 10 }))).toEqual(["alice@example.com", "alicia@example.org"]);
      // An exact address is a prefix of itself.
      expect((await index.page({ prefix: "bob@example.com", limit: 10 })).items).toEqual([{ member: "u4", key: "bob@example.com" }]);
      expect((await index.page({ prefix: "zed", limit: 10 })).items).toEqual([]);
      expect(keys(await pageAll(index, { order: "asc", prefix: "al\u{E000}", limit: 10 }))).toEqual(["al\u{E000}@example.com"]);
      expect(keys(await pageAll(index, { order: "asc", prefix: "", limit: 4 }))).toEqual(["ak@example.com", ...al, "bob@example.com"]);
    });

    it.skipIf(skip)("counts each of many concurrent adds from two instances once", async () => {
      const { store, peer } = await open();
      // 300 adds of 150 members: every member added twice, at once, from either instance.
      const results = await Promise.all(Array.from({ length: 300 }, (_, i) => (i % 2 ? peer : store).index("crowd").add(`m${i % 150}`, `k${i % 150}`)));
      expect(results.filter(Boolean)).toHaveLength(150);
      expect(await store.index("crowd").count()).toBe(150);
      expect(await pageAll(peer.index("crowd"), { limit: 1_000 })).toHaveLength(150);
      await Promise.all(Array.from({ length: 150 }, (_, i) => (i % 2 ? peer : store).index("crowd").remove(`m${i}`)));
      expect(await store.index("crowd").count()).toBe(0);
    });

    it.skipIf(skip)("drops members whose TTL has passed from reads, counts and pages", async () => {
      const { store, advance } = await open();
      const index = store.index("sessions-of-u1");
      // TTLs long enough for a few round trips to a busy Postgres before the first check.
      await index.add("s1", sortableTime(1), { ttlMs: 500 });
      await index.add("s2", sortableTime(2));
      await index.add("s3", sortableTime(3), { ttlMs: 1_500 });
      expect(await index.count()).toBe(3);
      await advance(700);
      expect(await index.count()).toBe(2);
      expect(await index.keyOf("s1")).toBeUndefined();
      expect((await index.page({ limit: 10 })).items.map((e) => e.member)).toEqual(["s3", "s2"]);
      expect(await index.remove("s1")).toBe(false);
      // Gone means gone: adding it again is a new member.
      expect(await index.add("s1", sortableTime(1), { ttlMs: 5_000 })).toBe(true);
      // Re-adding without a TTL keeps the member for good.
      await index.add("s3", sortableTime(3));
      await advance(1_000);
      expect((await index.page({ order: "asc", limit: 10 })).items.map((e) => e.member)).toEqual(["s1", "s2", "s3"]);
    });

    it.skipIf(skip)("reaches the live members past a long run of expired ones by following the cursors", async () => {
      const { store, advance } = await open();
      const index = store.index("mostly-expired");
      await Promise.all(Array.from({ length: 5 }, (_, i) => index.add(`live${i}`, `a${i}`)));
      // More expired members than Redis looks at in one page (1,000), newer than the live ones.
      // The TTL outlasts the adds, so none of them purges an expired one before the page.
      await Promise.all(Array.from({ length: 1_100 }, (_, i) => index.add(`gone${i}`, `b${String(i).padStart(4, "0")}`, { ttlMs: 2_000 })));
      await advance(2_100);
      expect(await index.count()).toBe(5);
      expect((await pageAll(index, { limit: 3 })).map((e) => e.member)).toEqual(["live4", "live3", "live2", "live1", "live0"]);
    });

    it.skipIf(skip)("rejects bad input as the caller's error before reaching the backend", async () => {
      const { store } = await open();
      const index = store.index("checked");
      await index.add("u1", "k");
      const bad = [
        index.page({ limit: 10, cursor: "not-a-cursor" }),
        index.page({ limit: 10, cursor: Buffer.from(JSON.stringify(["l", 3])).toString("base64url") }),
        index.page({ limit: 0 }),
        index.page({ limit: 1_001 }),
        index.page({ limit: 10, order: "up" as "asc" }),
        index.add("", "k"),
        index.add("u2", "k\0"),
        index.add("u2", "\uD800"),
        index.add("u2", "k", { ttlMs: 0 }),
        index.remove("x".repeat(1_025)),
      ];
      for (const attempt of bad) await expect(attempt).rejects.toBeInstanceOf(InvalidCollectionInputError);
      expect(() => store.index("")).toThrow(InvalidCollectionInputError);
      expect(await index.count()).toBe(1);
    });
  });

  describe("append-only log", () => {
    it.skipIf(skip)("appends at gap-free positions, reads by position and pages newest first or oldest first", async () => {
      const { store } = await open();
      const log = store.log<{ n: number }>("events");
      expect(await log.length()).toBe(0);
      expect((await log.page({ limit: 5 })).items).toEqual([]);
      for (let n = 1; n <= 12; n += 1) expect(await log.append({ n })).toBe(n);
      expect(await log.length()).toBe(12);
      expect(await log.get(5)).toEqual({ n: 5 });
      expect(await log.get(13)).toBeUndefined();

      const first = await log.page({ limit: 5 });
      expect(first.items.map((e) => e.position)).toEqual([12, 11, 10, 9, 8]);
      expect(first.items[0]).toEqual({ position: 12, value: { n: 12 } });
      const second = await log.page({ limit: 5, cursor: first.nextCursor! });
      expect(second.items.map((e) => e.position)).toEqual([7, 6, 5, 4, 3]);
      const third = await log.page({ limit: 5, cursor: second.nextCursor! });
      expect(third.items.map((e) => e.position)).toEqual([2, 1]);
      expect(third.nextCursor).toBeNull();

      const ascending = await log.page({ order: "asc", limit: 6 });
      expect(ascending.items.map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6]);
      const rest = await log.page({ order: "asc", limit: 6, cursor: ascending.nextCursor! });
      expect(rest.items.map((e) => e.position)).toEqual([7, 8, 9, 10, 11, 12]);
      expect(rest.nextCursor).toBeNull();
      // From a descending page's cursor, ascending walks back towards the newest.
      expect((await log.page({ order: "asc", limit: 2, cursor: first.nextCursor! })).items.map((e) => e.position)).toEqual([9, 10]);
      // Appends after a cursor was handed out do not shift the next page.
      await log.append({ n: 13 });
      expect((await log.page({ limit: 5, cursor: first.nextCursor! })).items.map((e) => e.position)).toEqual([7, 6, 5, 4, 3]);
    });

    it.skipIf(skip)("gives each of 300 concurrent appends from two instances its own position: none lost, none twice", async () => {
      const { store, peer } = await open();
      const positions = await Promise.all(Array.from({ length: 300 }, (_, i) => (i % 2 ? peer : store).log<{ i: number }>("audit").append({ i })));
      expect([...positions].sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      const log = store.log<{ i: number }>("audit");
      expect(await log.length()).toBe(300);
      for (let i = 0; i < 300; i += 1) expect(await log.get(positions[i]!)).toEqual({ i });
    });

    it.skipIf(skip)("appendAfter appends only at the expected end and otherwise reports the actual end", async () => {
      const { store } = await open();
      const log = store.log<string>("chain");
      expect(await log.appendAfter(0, ["a", "b"])).toEqual({ appended: true });
      expect(await log.appendAfter(0, ["x"])).toEqual({ appended: false, length: 2, last: { position: 2, value: "b" } });
      expect(await log.appendAfter(3, ["x"])).toEqual({ appended: false, length: 2, last: { position: 2, value: "b" } });
      expect(await log.appendAfter(2, ["c"])).toEqual({ appended: true });
      expect((await log.page({ order: "asc", limit: 10 })).items.map((e) => e.value)).toEqual(["a", "b", "c"]);
      await expect(log.appendAfter(3, [])).rejects.toBeInstanceOf(InvalidCollectionInputError);
      await expect(log.appendAfter(-1, ["x"])).rejects.toBeInstanceOf(InvalidCollectionInputError);
    });

    it.skipIf(skip)("lets racing writers on two instances chain every entry to the one before it, losing none", async () => {
      const { store, peer } = await open();
      interface Link {
        writer: string;
        n: number;
        previous: string | null;
      }
      const id = (link: Link) => `${link.writer}#${link.n}`;
      // What a MAC-chained writer does: build each batch on the end it last saw, and on a refusal rebuild on the end it is shown.
      const writer = async (source: Store, name: string, entries: number) => {
        const log = source.log<Link>("chained");
        let end: { length: number; last: Link | null } = { length: 0, last: null };
        for (let n = 0; n < entries; n += 2) {
          const batch: Link[] = [];
          for (let j = n; j < Math.min(n + 2, entries); j += 1) {
            const link: Link = { writer: name, n: j, previous: batch.length ? id(batch.at(-1)!) : end.last && id(end.last) };
            batch.push(link);
          }
          for (;;) {
            const result = await log.appendAfter(end.length, batch);
            if (result.appended) {
              end = { length: end.length + batch.length, last: batch.at(-1)! };
              break;
            }
            end = { length: result.length, last: result.last?.value ?? null };
            batch[0] = { ...batch[0]!, previous: end.last && id(end.last) };
            for (let j = 1; j < batch.length; j += 1) batch[j] = { ...batch[j]!, previous: id(batch[j - 1]!) };
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w % 2 ? peer : store, `w${w}`, 15)));

      const log = store.log<Link>("chained");
      expect(await log.length()).toBe(120);
      const all: Link[] = [];
      for (let page = await log.page({ order: "asc", limit: 50 }); ; page = await log.page({ order: "asc", limit: 50, cursor: page.nextCursor! })) {
        all.push(...page.items.map((e) => e.value));
        if (!page.nextCursor) break;
      }
      expect(new Set(all.map(id)).size).toBe(120);
      all.forEach((link, i) => expect(link.previous).toBe(i === 0 ? null : id(all[i - 1]!)));
    });

    it.skipIf(skip)("keeps at most maxLength newest entries, trimming in the same step as the append", async () => {
      const { store } = await open();
      const log = store.log<number>("activity:u1");
      for (let n = 1; n <= 10; n += 1) await log.append(n, { maxLength: 3 });
      expect(await log.length()).toBe(10);
      expect((await log.page({ order: "asc", limit: 10 })).items.map((e) => e.value)).toEqual([8, 9, 10]);
      const newest = await log.page({ limit: 2 });
      expect(newest.items.map((e) => e.value)).toEqual([10, 9]);
      expect((await log.page({ limit: 2, cursor: newest.nextCursor! })).nextCursor).toBeNull();
      expect(await log.get(7)).toBeUndefined();
      expect(await log.get(8)).toBe(8);
    });

    it.skipIf(skip)("trims the oldest entries, at most MAX_TRIM per call, keeping positions", async () => {
      const { store } = await open();
      const log = store.log<number>("trimmed");
      await log.appendAfter(
        0,
        Array.from({ length: 1_000 }, (_, i) => i + 1),
      );
      await log.appendAfter(1_000, [1_001, 1_002, 1_003, 1_004, 1_005]);
      expect(await log.trim(1)).toBe(1);
      expect(await log.trim(3)).toBe(3);
      expect(await log.get(2)).toBeUndefined();
      expect((await log.page({ order: "asc", limit: 2 })).items.map((e) => e.position)).toEqual([3, 4]);
      expect(await log.trim(2_000)).toBe(3 + MAX_TRIM);
      expect(await log.trim(2_000)).toBe(1_006);
      expect(await log.length()).toBe(1_005);
      expect((await log.page({ limit: 10 })).items).toEqual([]);
      expect(await log.append(1_006)).toBe(1_006);
      expect((await log.page({ limit: 10 })).items).toEqual([{ position: 1_006, value: 1_006 }]);
      await log.drop();
      expect(await log.length()).toBe(0);
      expect(await log.append(1)).toBe(1);
    });

    it.skipIf(skip)("deletes the whole log once it has been idle for idleTtlMs", async () => {
      const { store, advance } = await open();
      const log = store.log<string>("idle");
      await log.append("a", { idleTtlMs: 300 });
      await advance(200);
      // Each append restarts the idle time.
      await log.append("b", { idleTtlMs: 300 });
      await advance(200);
      expect(await log.length()).toBe(2);
      expect(await log.get(1)).toBe("a");
      await advance(200);
      expect(await log.length()).toBe(0);
      expect(await log.get(1)).toBeUndefined();
      expect((await log.page({ limit: 10 })).items).toEqual([]);
      expect(await log.append("c")).toBe(1);
      expect(await log.get(2)).toBeUndefined();
    });

    it.skipIf(skip)("rejects bad positions and cursors as the caller's error", async () => {
      const { store } = await open();
      const log = store.log<string>("checked");
      await log.append("a");
      const indexCursor = Buffer.from(JSON.stringify(["i", "k", "m"])).toString("base64url");
      for (const attempt of [
        log.get(0),
        log.get(1.5),
        log.trim(0),
        log.page({ limit: 5, cursor: indexCursor }),
        log.page({ limit: 5, cursor: "%%%" }),
        log.append("b", { maxLength: 0 }),
      ]) {
        await expect(attempt).rejects.toBeInstanceOf(InvalidCollectionInputError);
      }
      expect(await log.length()).toBe(1);
    });
  });
});

// Redis expires keys itself; the local backends sweep expired members and idle logs.
describe.each(["memory", "sqlite"] as const)("expired collection entries on %s", (kind) => {
  it("are purged by the sweep so the backend does not grow without bound", async () => {
    const { store, local, advance } = await backendKinds[kind]();
    try {
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.index(`sessions:${i % 5}`).add(`s${i}`, sortableTime(i), { ttlMs: 1_000 })));
      await store.index("users").add("u1", "k");
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.log(`activity:${i % 4}`).append(i, { idleTtlMs: 1_000 })));
      await store.log("audit").append("kept");
      expect(local?.countEntries()).toBe(72);
      await advance(2_000);
      expect(local?.sweep()).toBe(70);
      expect(local?.countEntries()).toBe(2);
      expect(await store.index("users").count()).toBe(1);
      expect(await store.index("sessions:0").count()).toBe(0);
      expect(await store.index("sessions:0").add("s0", "again")).toBe(true);
      expect(await store.index("sessions:0").count()).toBe(1);
      expect(await store.log("audit").length()).toBe(1);
      expect(await store.log("activity:0").length()).toBe(0);
    } finally {
      await store.close();
    }
  });
});
