import { describe, expect, it } from "vitest";
import { dataOf, GOOD_PASSWORD, reasonOf, startServer, uniqueEmail, type TestServer } from "./harness.js";
import { STORES } from "./stores.js";

async function signUpAdmin(server: TestServer): Promise<{ token: string; email: string }> {
  const email = uniqueEmail("admin");
  const data = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
  await server.services.users.update(data.user.id, (u) => ({ ...u, role: "admin" }));
  return { token: data.accessToken as string, email };
}

/** Users straight through the store, one second apart in signup time (no bcrypt, no HTTP). */
async function seed(server: TestServer, emails: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const email of emails) {
    server.clock.advance(1000);
    const user = await server.services.users.create({ email, name: null, role: "user", emailVerified: false, mfaEnabled: false, passwordHash: "x", createdAt: server.clock.now() });
    ids.push(user!.id);
  }
  return ids;
}

type Page = { items: Array<{ id: string; email: string; createdAt: string }>; nextCursor: string | null };

describe.each(STORES)("admin.listUsers on the %s store", (name, options, available) => {
  it.skipIf(!available)("pages every user once, newest first, by cursor, while users are added; finds by exact address or prefix", async () => {
    const opened = await options();
    const server = await startServer(opened);
    const { token } = await signUpAdmin(server);
    const list = async (input: Record<string, unknown>) => server.call("admin.listUsers", input, { query: true, bearer: token });
    const page = async (input: Record<string, unknown>): Promise<Page> => dataOf(await list(input));

    const seeded = await seed(server, Array.from({ length: 23 }, (_, i) => `member${String(i).padStart(2, "0")}@example.org`));
    const [bob, bobAu, bobby] = await seed(server, ["bob@example.com", "bob@example.com.au", "bobby@example.net"]);

    const first = await page({ limit: 10 });
    expect(first.items.map((u) => u.id).slice(0, 3)).toEqual([bobby, bobAu, bob]);
    expect(Object.keys(first.items[0]!).sort()).toEqual(["createdAt", "email", "emailVerified", "id", "mfaEnabled", "name", "role"]);
    // Added after the first page: newer than its cursor, so no later page shows it and nothing shifts.
    const [late] = await seed(server, ["late@example.org"]);
    const seen = [...first.items];
    for (let cursor = first.nextCursor; cursor !== null; ) {
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
    for (let cursor: string | null | undefined; cursor !== null; ) {
      const next = await page({ email: "bob", limit: 1, ...(cursor ? { cursor } : {}) });
      bobs.push(...next.items.map((u) => u.id));
      cursor = next.nextCursor;
    }
    expect(bobs).toEqual([bob, bobAu, bobby]);
    expect((await page({ email: "nobody" })).items).toEqual([]);

    // A cursor is checked: not a store cursor, or one from the other list, is the caller's mistake.
    expect(reasonOf(await list({ cursor: "not-a-cursor" }))).toBe("validation_failed");
    expect(reasonOf(await list({ email: "bob", cursor: first.nextCursor }))).toBe("validation_failed");
    expect(reasonOf(await list({ limit: 101 }))).toBe("validation_failed");
    expect(reasonOf(await list({ page: 2 }))).toBe("validation_failed");

    // An id whose record is gone is skipped, and leaves the list.
    await server.store.delete(`user:${bobby}`);
    expect((await page({ email: "bob" })).items.map((u) => u.id)).toEqual([bob, bobAu]);
    expect(await server.services.users.count()).toBe(27);
  });
});

describe("user indexes under concurrent signups", () => {
  it("lists each of 60 concurrent signups once, and one account per email", async () => {
    const server = await startServer();
    const admin = await signUpAdmin(server);
    const emails = Array.from({ length: 30 }, () => uniqueEmail("burst"));
    const results = await Promise.all([...emails, ...emails].map((email) => server.call("auth.signup", { email, password: GOOD_PASSWORD })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(30);
    const listed = dataOf(await server.call("admin.listUsers", { limit: 100 }, { query: true, bearer: admin.token })) as Page;
    expect(listed.items.map((u) => u.email).sort()).toEqual([...emails, admin.email].sort());
    expect(await server.services.users.count()).toBe(31);
  });
});
