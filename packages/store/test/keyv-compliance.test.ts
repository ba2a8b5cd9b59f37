import * as vitest from "vitest";
import Keyv from "keyv";
import { keyvApiTests, keyvValueTests } from "@keyv/test-suite";
import { createMemoryBackend, createPostgresBackend, createSqliteBackend, systemClock } from "../src/index.js";
import { tempSqlitePath } from "./backends.js";
import { postgresAvailable, sharedDatabase, stopSharedServices } from "./services.js";

const hasPostgres = await postgresAvailable();
vitest.afterAll(stopSharedServices);

// Our local backends are Keyv storage adapters of their own, and the Postgres
// backend changes parts of Keyv's Postgres adapter; Keyv's official suite
// checks that they behave as Keyv expects.
vitest.describe("memory backend as a Keyv adapter", () => {
  const backend = createMemoryBackend({ clock: systemClock });
  keyvApiTests(vitest, Keyv, () => backend.keyvAdapter);
  keyvValueTests(vitest, Keyv, () => backend.keyvAdapter);
});

vitest.describe("sqlite backend as a Keyv adapter", () => {
  const backend = createSqliteBackend({ path: tempSqlitePath(), clock: systemClock });
  keyvApiTests(vitest, Keyv, () => backend.keyvAdapter);
  keyvValueTests(vitest, Keyv, () => backend.keyvAdapter);
});

vitest.describe.skipIf(!hasPostgres)("postgres backend as a Keyv adapter", async () => {
  if (!hasPostgres) return;
  const backend = await createPostgresBackend({ url: (await sharedDatabase()).url });
  vitest.afterAll(() => backend.close());
  keyvApiTests(vitest, Keyv, () => backend.keyvAdapter);
  keyvValueTests(vitest, Keyv, () => backend.keyvAdapter);
});
