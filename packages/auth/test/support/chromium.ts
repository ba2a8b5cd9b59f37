import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium (`apt-get install chromium`), never a downloaded browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** Outside CI a machine without Chromium skips browser tests (with this message); under CI=true they must run. */
export const chromiumMissing = !existsSync(CHROMIUM) && process.env.CI !== "true" ? `no Chromium at ${CHROMIUM}: browser tests skipped` : undefined;

/** Headless Chromium as every browser test here runs it: no sandbox (containers), nothing fetched in the background. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
