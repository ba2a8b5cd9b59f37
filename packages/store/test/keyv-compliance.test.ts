import * as vitest from "vitest";
import Keyv from "keyv";
import { keyvApiTests, keyvValueTests } from "@keyv/test-suite";
import { createMemoryBackend, createSqliteBackend, systemClock } from "../src/index.js";
import { tempSqlitePath } from "./backends.js";

// Our local backends are Keyv storage adapters of their own; Keyv's official
// suite checks that they behave as Keyv expects.
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
