import { join } from "node:path";
import { createOutboxMailer, createSmtpMailer, type Logger, type Mailer } from "@gatehouse/auth";
import { systemClock } from "@gatehouse/store";
import type { Env } from "./env.js";

/** MAIL_TRANSPORT: `outbox:DIR` (development default: the data dir's outbox) or `smtp://…`. */
export function createMailer(env: Env, logger: Logger): Mailer | undefined {
  const transport = env.MAIL_TRANSPORT ?? (env.NODE_ENV === "production" ? undefined : `outbox:${join(env.AUTH_DATA_DIR, "outbox")}`);
  if (!transport) {
    logger.warn({ event: "mail_not_configured" }, "MAIL_TRANSPORT is not set: account mails will not be sent");
    return undefined;
  }
  if (transport.startsWith("outbox:")) {
    const dir = transport.slice("outbox:".length);
    logger.info({ event: "mail_outbox", dir }, `mails are written to ${dir} (development only)`);
    return createOutboxMailer(dir, systemClock);
  }
  return createSmtpMailer(transport, env.MAIL_FROM);
}
