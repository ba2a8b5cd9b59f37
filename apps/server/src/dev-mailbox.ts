import { readdir, readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { z } from "zod";
import { setSecurityHeaders } from "@gatehouse/auth";

export const DEV_MAILBOX_PATH = "/dev/mailbox.json";
/** How many of the newest mails the page lists; older ones stay in the directory, unread. */
const MAILBOX_SIZE = 50;

/** What the outbox mailer writes; anything else in the directory is skipped. */
const outboxMail = z.object({
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().optional(),
  createdAt: z.string(),
});
export type OutboxMail = z.infer<typeof outboxMail>;

/**
 * `GET /dev/mailbox.json`: the newest mails of the development outbox, newest
 * first, so the demo can show reset and verification links without a mail
 * client. Wire it only when mails go to the outbox (never in production).
 *
 * Anyone who can reach a development server can read every mail it sent,
 * links and tokens included: that is what a development outbox is for. It is
 * why the outbox (and with it this route) is refused in production.
 */
export function createDevMailbox(dir: string): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== DEV_MAILBOX_PATH) return false;
    setSecurityHeaders(res, { production: false });
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    readNewestMails(dir).then(
      (mails) => res.end(JSON.stringify(mails)),
      () => {
        res.statusCode = 500;
        res.end(JSON.stringify({ error: "the outbox directory could not be read" }));
      },
    );
    return true;
  };
}

/**
 * The outbox names each file after its creation time (ISO, then a UUID), so
 * the names sort by age: only the newest MAILBOX_SIZE files are opened.
 */
export async function readNewestMails(dir: string): Promise<OutboxMail[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  // Dotfiles are the mailer's half-written temporaries.
  const newest = names
    .filter((name) => name.endsWith(".json") && !name.startsWith("."))
    .sort()
    .reverse()
    .slice(0, MAILBOX_SIZE);
  const mails = await Promise.all(newest.map((name) => readMail(join(dir, name))));
  return mails.filter((mail) => mail !== undefined);
}

async function readMail(path: string): Promise<OutboxMail | undefined> {
  try {
    const parsed = outboxMail.safeParse(JSON.parse(await readFile(path, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // Removed since the listing, or not JSON: not a mail to show.
    return undefined;
  }
}
