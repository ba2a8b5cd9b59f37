import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
export { freePort } from "@gatehouse/store/testing";

const DEMO_ROOT = fileURLToPath(new URL("..", import.meta.url));

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), prefix));

/** Builds the demo from its current source into a fresh directory (never the shared dist/). */
export function buildDemo(outDir: string): void {
  const viteBin = join(dirname(createRequire(import.meta.url).resolve("vite/package.json")), "bin", "vite.js");
  execFileSync(process.execPath, [viteBin, "build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"], { cwd: DEMO_ROOT, stdio: "pipe" });
}

/** The real server, from source, exactly as apps/server's own tests run it. */
export { startServerProcess as startServer, type ServerProcess } from "../../server/test/server-process.js";

function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of text.replace(/[\s=]/g, "").toUpperCase()) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${char}`);
    bits += value.toString(2).padStart(5, "0");
  }
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits), as an authenticator app computes it. */
export function totp(secret: string, now = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const hmac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = hmac[hmac.length - 1]! & 0x0f;
  const value = (hmac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, "0");
}

export interface OutboxMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  createdAt: string;
}

/** The mails the server's development outbox (`MAIL_TRANSPORT=outbox:DIR`) has written, oldest first. */
export function readOutbox(dir: string): OutboxMail[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(dir, name), "utf8")) as OutboxMail);
}

/** The first link of a mail's HTML body, as a mail client shows it: the `href` of its `<a>`. */
export function linkInHtml(mail: OutboxMail): string {
  const href = /<a href="([^"]+)">/.exec(mail.html ?? "")?.[1];
  if (!href) throw new Error(`no link in the HTML of "${mail.subject}"`);
  return href.replace(/&amp;/g, "&");
}
