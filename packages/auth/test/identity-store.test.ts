import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMemoryBackend, createStore, openStore, type Store } from "@gatehouse/store";
import { createIdentityStore, type LinkedIdentity } from "../src/features/accounts/identity-store.js";
import { hasRedis, REDIS_URL } from "./redis.js";
import { closeWhenTestEnds } from "./support/cleanup.js";

/** A store closed when the test ends. */
async function closedWithTest(opening: Promise<Store>): Promise<Store> {
  const store = await opening;
  closeWhenTestEnds(() => store.close());
  return store;
}

const stores: Array<[string, () => Promise<Store>, boolean]> = [
  ["memory", () => closedWithTest(Promise.resolve(createStore(createMemoryBackend({ clock: Date.now })))), true],
  ["sqlite", () => closedWithTest(openStore(`sqlite://${join(mkdtempSync(join(tmpdir(), "gatehouse-identities-")), "auth.db")}`)), true],
  ["redis", () => closedWithTest(openStore(REDIS_URL, { prefix: `test:${randomUUID()}:` })), hasRedis],
];

const identity = (provider: string, subject: string): LinkedIdentity => ({ provider, subject, email: `${subject}@idp.test`, linkedAt: 0 });

describe.each(stores)("provider identities on the %s store", (_name, open, available) => {
  it.skipIf(!available)("never lets two unlinks at once both pass a check only one may (the last way in stays)", async () => {
    const store = await open();
    const identities = createIdentityStore(store);
    for (let round = 0; round < 5; round += 1) {
      const userId = `user-${round}`;
      expect(await identities.link(userId, identity("acme", `a-${round}`))).toBe("linked");
      expect(await identities.link(userId, identity("github", `g-${round}`))).toBe("linked");
      // No password: an unlink may go ahead only while another identity remains.
      const outcomes = await Promise.all(["acme", "github"].map((provider) => identities.unlink(userId, provider, (remaining) => remaining.length > 0)));
      expect(outcomes.filter((outcome) => outcome === "refused")).toHaveLength(1);
      expect(await identities.list(userId)).toHaveLength(1);
    }
  });

  it.skipIf(!available)("gives an identity to exactly one of many accounts linking it at once", async () => {
    const store = await open();
    const identities = createIdentityStore(store);
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => identities.link(`racer-${i}`, identity("acme", "contested"))));
    expect(outcomes.filter((outcome) => outcome === "linked")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "taken")).toHaveLength(7);
    const winner = `racer-${outcomes.indexOf("linked")}`;
    expect(await identities.findUserId("acme", "contested")).toBe(winner);
  });

  it.skipIf(!available)("an unlink cut short before its claim is released signs no one in, and the identity can be linked elsewhere", async () => {
    const store = await open();
    const identities = createIdentityStore(store);
    expect(await identities.link("before", identity("acme", "cut-short"))).toBe("linked");
    // The claim cannot be released (the store fails mid-unlink): it is left behind without the account's entry.
    const failing: Store = {
      ...store,
      update: (key, change, options) => (key.startsWith("oauth-identity:") ? Promise.reject(new Error("connection lost")) : store.update(key, change, options)),
    };
    await expect(createIdentityStore(failing).unlink("before", "acme", () => true)).rejects.toThrow("connection lost");
    expect(await identities.findUserId("acme", "cut-short")).toBeUndefined();
    expect(await identities.link("after", identity("acme", "cut-short"))).toBe("linked");
    expect(await identities.findUserId("acme", "cut-short")).toBe("after");
    expect(await identities.list("before")).toEqual([]);
  });
});
