import { join } from "node:path";
import { createOutboxMailer, createSmtpMailer, type Logger, type Mailer } from "@gatehouse/auth";
import { systemClock } from "@gatehouse/store";
import type { Env } from "./env.js";

/** MAIL_TRANSPORT: `outbox:DIR` (development default: the data dir's outbox) or `smtp://…`. */
function mailTransport(env: Env): string | undefined {
  return env.MAIL_TRANSPORT ?? (env.NODE_ENV === "production" ? undefined : `outbox:${join(env.AUTH_DATA_DIR, "outbox")}`);
}

const outboxOf = (transport: string | undefined): string | undefined => (transport?.startsWith("outbox:") ? transport.slice("outbox:".length) : undefined);

/**
 * The development outbox's directory, or undefined when mails go out by SMTP
 * (or not at all). Never in production, where readEnv refuses the outbox too.
 */
export function outboxDir(env: Env): string | undefined {
  return env.NODE_ENV === "production" ? undefined : outboxOf(mailTransport(env));
}

export function createMailer(env: Env, logger: Logger): Mailer | undefined {
  const transport = mailTransport(env);
  if (!transport) {
    logger.warn({ event: "mail_not_configured" }, "MAIL_TRANSPORT is not set: account mails will not be sent");
    return undefined;
  }
  const dir = outboxOf(transport);
  if (dir) {
    logger.info({ event: "mail_outbox", dir }, `mails are written to ${dir} (development only)`);
    return createOutboxMailer(dir, systemClock);
  }
  return createSmtpMailer(transport, env.MAIL_FROM);
}
