import { describe, expect, it } from "vitest";
import { uniqueEmail, type InputOf } from "./harness.js";
import { STORES } from "./stores.js";
import { refusalOf, startGatehouse, type Account, type Gatehouse } from "./support/gatehouse.js";

async function signUpAdmin(gatehouse: Gatehouse): Promise<Account> {
  const admin = await gatehouse.signUp({ email: uniqueEmail("admin") });
  await gatehouse.services.users.update(admin.userId, (u) => ({ ...u, role: "admin" }));
  return admin;
}

/** Users straight through the store, one second apart in signup time (no bcrypt, no HTTP). */
async function seed(gatehouse: Gatehouse, emails: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const email of emails) {
    gatehouse.clock.advance(1000);
    const user = await gatehouse.services.users.create({
      email,
      name: null,
      role: "user",
      emailVerified: false,
      mfaEnabled: false,
      passwordHash: "x",
      createdAt: gatehouse.clock.now(),
    });
    ids.push(user!.id);
  }
  return ids;
}

describe.each(STORES)("admin.listUsers on the %s store", (_name, options, available) => {
  it.skipIf(!available)("pages every user once, newest first, by cursor, while users are added; finds by exact address or prefix", async () => {
    const gatehouse = await startGatehouse(await options());
    const admin = gatehouse.as(await signUpAdmin(gatehouse));
    const page = (input: InputOf<"admin.listUsers">) => admin.admin.listUsers(input);
    // Inputs the schema refuses, sent as a client might.
    const refusal = (input: unknown) => refusalOf(admin.admin.listUsers(input as InputOf<"admin.listUsers">));

    const seeded = await seed(
      gatehouse,
      Array.from({ length: 23 }, (_, i) => `member${String(i).padStart(2, "0")}@example.org`),
    );
    const [bob, bobAu, bobby] = await seed(gatehouse, ["bob@example.com", "bob@example.com.au", "bobby@example.net"]);

    const first = await page({ limit: 10 });
    expect(first.items.map((u) => u.id).slice(0, 3)).toEqual([bobby, bobAu, bob]);
    expect(Object.keys(first.items[0]!).sort()).toEqual(["createdAt", "email", "emailVerified", "id", "mfaEnabled", "name", "role"]);
    // Added after the first page: newer than its cursor, so no later page shows it and nothing shifts.
    const [late] = await seed(gatehouse, ["late@example.org"]);
    const seen = [...first.items];
    for (let cursor = first.nextCursor; cursor !== null;) {
      const next = await page({ limit: 10, cursor });
      seen.push(...next.items);
      cursor = next.nextCursor;
    }
    expect(new Set(seen.map((u) => u.id)).size).toBe(seen.length);
    expect(seen).toHaveLength(27);
    expect(seen.map((u) => u.id)).not.toContain(late);
    expect(seen.map((u) => u.id)).toEqual(expect.arrayContaining(seeded));
    const times = seen.map((u) => Date.parse(u.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect((await page({ limit: 1 })).items[0]!.id).toBe(late);

    // Normalized as signup normalizes; an exact address comes first, then longer ones starting with it.
    expect((await page({ email: "bob@example.com" })).items.map((u) => u.id)).toEqual([bob, bobAu]);
    expect((await page({ email: "  BOB@Example.COM.AU " })).items.map((u) => u.id)).toEqual([bobAu]);
    const bobs: string[] = [];
    for (let cursor: string | null | undefined; cursor !== null;) {
      const next = await page({ email: "bob", limit: 1, ...(cursor ? { cursor } : {}) });
      bobs.push(...next.items.map((u) => u.id));
      cursor = next.nextCursor;
    }
    expect(bobs).toEqual([bob, bobAu, bobby]);
    expect((await page({ email: "nobody" })).items).toEqual([]);

    // A cursor is checked: not a store cursor, or one from the other list, is the caller's mistake.
    expect(await refusal({ cursor: "not-a-cursor" })).toBe("validation_failed");
    expect(await refusal({ email: "bob", cursor: first.nextCursor })).toBe("validation_failed");
    expect(await refusal({ limit: 101 })).toBe("validation_failed");
    expect(await refusal({ page: 2 })).toBe("validation_failed");

    // An id whose record is gone is skipped, and leaves the list.
    await gatehouse.store.delete(`user:${bobby}`);
    expect((await page({ email: "bob" })).items.map((u) => u.id)).toEqual([bob, bobAu]);
    expect(await gatehouse.services.users.count()).toBe(27);
  });
});

describe("user indexes under concurrent signups", () => {
  it("lists each of 60 concurrent signups once, and one account per email", async () => {
    const gatehouse = await startGatehouse();
    const admin = await signUpAdmin(gatehouse);
    const emails = Array.from({ length: 30 }, () => uniqueEmail("burst"));
    const results = await Promise.allSettled([...emails, ...emails].map((email) => gatehouse.signUp({ email })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(30);
    const listed = await gatehouse.as(admin).admin.listUsers({ limit: 100 });
    expect(listed.items.map((u) => u.email).sort()).toEqual([...emails, admin.email].sort());
    expect(await gatehouse.services.users.count()).toBe(31);
  });
});
