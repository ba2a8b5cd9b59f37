import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { Clock } from "@gatehouse/store";
import type { Mailer } from "./mailer.js";

/**
 * Development transport: one JSON file per mail. Written to a temporary name
 * and renamed, so a reader never sees half a file.
 */
export function createOutboxMailer(dir: string, clock: Clock): Mailer {
  mkdirSync(dir, { recursive: true });
  return {
    async send(mail) {
      const createdAt = new Date(clock()).toISOString();
      const name = `${createdAt.replace(/[:.]/g, "-")}-${randomUUID()}.json`;
      const body = JSON.stringify({ to: mail.to, subject: mail.subject, text: mail.text, ...(mail.html ? { html: mail.html } : {}), createdAt }, null, 2);
      const temporary = join(dir, `.${name}.tmp`);
      writeFileSync(temporary, body, { mode: 0o600 });
      renameSync(temporary, join(dir, name));
    },
  };
}
