import { setTimeout as sleep } from "node:timers/promises";
import { startLoadChild, type LoadChild } from "./load-child.js";
import { describe, unexpected, type LoadSpec, type Measurement } from "./load.js";
import type { Settings, StoreKind } from "./settings.js";
import { createStoreProvider } from "./stores.js";

export interface SectionResult {
  /** Markdown, starting with its own `##` heading. */
  markdown: string;
}

export interface BenchContext {
  settings: Settings;
  log(line: string): void;
  /** Logs the run and counts any answer whose status is not in `allowed` (and any connection error) as a failure. */
  check(label: string, m: Measurement, allowed: readonly number[]): Measurement;
  /** Records a failure that is not about one run (a setup step that answered wrongly). */
  fail(message: string): void;
  /** A fresh store URL of this kind; undefined (with a message) when its server is not there. */
  storeUrl(kind: StoreKind, label: string): Promise<string | undefined>;
  /** The second load generator (a child process), started on first use. */
  loadChild(): LoadChild;
  /**
   * Runs `background` in the load child and, `leadSeconds` after it starts, `foreground` here;
   * the background lasts lead + `foregroundSeconds` + 1 s, so it covers the whole measured run.
   */
  concurrently(
    background: LoadSpec,
    leadSeconds: number,
    foregroundSeconds: number,
    foreground: () => Promise<Measurement>,
  ): Promise<{ background: Measurement; foreground: Measurement }>;
}

export function createContext(settings: Settings, tmpDir: string): BenchContext & { failures(): number; close(): Promise<void> } {
  let failures = 0;
  let child: LoadChild | undefined;
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const stores = createStoreProvider(settings, tmpDir, log);

  const context: BenchContext = {
    settings,
    log,
    check(label, m, allowed) {
      log(`${label}\n${describe(m)}`);
      const bad = unexpected(m, allowed);
      if (bad.count > 0) {
        failures += 1;
        log(`  ✗ unexpected: ${JSON.stringify(bad.statuses)}, ${bad.errors} connection errors (expected only ${allowed.join("/")})`);
      }
      return m;
    },
    fail(message) {
      failures += 1;
      log(`  ✗ ${message}`);
    },
    storeUrl: (kind, label) => stores.url(kind, label),
    loadChild() {
      child ??= startLoadChild();
      return child;
    },
    async concurrently(background, leadSeconds, foregroundSeconds, foreground) {
      const running = context.loadChild().run({ ...background, duration: leadSeconds + foregroundSeconds + 1 });
      await sleep(leadSeconds * 1000);
      const measured = await foreground();
      return { background: await running, foreground: measured };
    },
  };
  return {
    ...context,
    failures: () => failures,
    async close() {
      await child?.stop();
      await stores.close();
    },
  };
}
