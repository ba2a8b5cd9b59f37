import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "@gatehouse/store";
import { createFakeClock } from "@gatehouse/store/testing";
import { type StartOptions } from "./harness.js";
import { hasRedis, REDIS_URL } from "./redis.js";
import { closeWhenTestEnds } from "./support/cleanup.js";

export const sqliteUrl = () => `sqlite://${join(mkdtempSync(join(tmpdir(), "gatehouse-auth-")), "auth.db")}`;

/** A fresh store of each kind for startServer: [name, options, available]. Redis gets a random key prefix and is closed when the test ends. */
export const STORES: Array<[string, () => Promise<StartOptions>, boolean]> = [
  ["memory", async () => ({}), true],
  ["sqlite", async () => ({ storeUrl: sqliteUrl() }), true],
  [
    "redis",
    async () => {
      const clock = createFakeClock();
      const store = await openStore(REDIS_URL, { clock: clock.now, prefix: `test:${randomUUID()}:` });
      // A store handed to startServer is left open by it: this one is closed with the test.
      closeWhenTestEnds(() => store.close());
      return { clock, store };
    },
    hasRedis,
  ],
];
