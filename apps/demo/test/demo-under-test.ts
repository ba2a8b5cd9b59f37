import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, onTestFinished } from "vitest";
import { launchChromium } from "../../../packages/auth/test/support/chromium.js";
import { buildDemo, freePort, startServer, tempDir, type ServerProcess } from "./support.js";

/** Where a run leaves its screenshots. */
export const ARTIFACTS = fileURLToPath(new URL("../test-artifacts/", import.meta.url));
export const UI_TIMEOUT = 15_000;

export interface DemoOptions {
  /** Serve on a port chosen here and tell the server its public URL on this host (links in mails; WebAuthn wants a host name). */
  appHost?: "127.0.0.1" | "localhost";
  /** Write mails as files to an outbox folder the tests read. */
  outbox?: boolean;
  /** More of the server's environment, knowing the app's public URL when `appHost` is given (AUTH_LIMITS, ADMIN_EMAIL, providers). */
  env?: (appUrl: string) => Record<string, string> | Promise<Record<string, string>>;
}

export interface DemoUnderTest {
  server: ServerProcess;
  /** The app's public URL (the server's own when no `appHost` was given). */
  appUrl: string;
  outboxDir: string;
  browser: Browser;
  /** A fresh browser profile, closed when the test ends (passed or failed). */
  newContext(options?: { width?: number }): Promise<BrowserContext>;
}

/**
 * The demo built and served by the real server on a memory store, and a
 * headless Chromium: started before the file's tests, stopped after them.
 * Read its fields inside a test.
 */
export function useDemo(options: DemoOptions = {}): DemoUnderTest {
  let started: { server: ServerProcess; appUrl: string; outboxDir: string; browser: Browser } | undefined;
  const cleanup: string[] = [];
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const siteDir = tempDir("gatehouse-demo-site-");
    const dataDir = tempDir("gatehouse-demo-data-");
    cleanup.push(siteDir, dataDir);
    const outboxDir = join(dataDir, "outbox");
    buildDemo(siteDir);
    const port = options.appHost ? await freePort() : undefined;
    const appUrl = port ? `http://${options.appHost}:${port}` : "";
    server = await startServer({
      ...(port ? { PORT: String(port), APP_URL: appUrl } : {}),
      DEMO_DIR: siteDir,
      AUTH_STORE_URL: "memory://",
      AUTH_DATA_DIR: dataDir,
      ...(options.outbox ? { MAIL_TRANSPORT: `outbox:${outboxDir}` } : {}),
      ...(await options.env?.(appUrl)),
    });
    browser = await launchChromium();
    started = { server, appUrl: appUrl || server.url, outboxDir, browser };
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
  });

  const read = () => {
    if (!started) throw new Error("the demo is read before beforeAll started it");
    return started;
  };
  return {
    get server() {
      return read().server;
    },
    get appUrl() {
      return read().appUrl;
    },
    get outboxDir() {
      return read().outboxDir;
    },
    get browser() {
      return read().browser;
    },
    async newContext({ width = 1280 } = {}) {
      const context = await read().browser.newContext({ viewport: { width, height: 900 } });
      context.setDefaultTimeout(UI_TIMEOUT);
      onTestFinished(() => context.close());
      return context;
    },
  };
}
