import type { Logger } from "../log.js";
import type { Mail, Mailer } from "./mailer.js";

export interface MailContext {
  kind: string;
  userId?: string | undefined;
  requestId?: string;
}

/**
 * Sends off the request path: the response never waits for mail, so its
 * timing cannot reveal whether an account exists, and a failed send is logged
 * (never with the message body, which may hold a token) without failing the request.
 */
export function createMailQueue(mailer: Mailer | undefined, logger: Logger) {
  const pending = new Set<Promise<void>>();

  /** Builds the mail off the request path too (e.g. issuing the token it carries), then sends it. */
  function sendWhenReady(build: () => Promise<Mail>, context: MailContext): void {
    if (!mailer) {
      logger.warn({ event: "mail_skipped", kind: context.kind, userId: context.userId, requestId: context.requestId }, "no MAIL_TRANSPORT configured");
      return;
    }
    const sending = new Promise<void>((resolve) => setImmediate(resolve))
      .then(build)
      .then((mail) => mailer.send(mail))
      .then(() => logger.info({ event: "mail_sent", kind: context.kind, userId: context.userId, requestId: context.requestId }))
      .catch((error: unknown) =>
        logger.error({
          event: "mail_failed",
          kind: context.kind,
          userId: context.userId,
          requestId: context.requestId,
          error: error instanceof Error ? error.message : "unknown",
        }),
      )
      .finally(() => pending.delete(sending));
    pending.add(sending);
  }

  return {
    send: (mail: Mail, context: MailContext): void => sendWhenReady(async () => mail, context),
    sendWhenReady,
    /** Resolves once every queued mail has been handed over or failed (shutdown, tests). */
    async drain(): Promise<void> {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

export type MailQueue = ReturnType<typeof createMailQueue>;
