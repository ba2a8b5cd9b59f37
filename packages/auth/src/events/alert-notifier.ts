import { createHmac } from "node:crypto";
import type { Clock } from "@gatehouse/store";
import type { Logger } from "../log.js";

export interface AlertNotifierOptions {
  url: string;
  /** Signs every payload so the receiver can tell it came from us. */
  secret: string;
  clock: Clock;
  logger: Logger;
  timeoutMs?: number;
}

export const SIGNATURE_HEADER = "X-Gatehouse-Signature";

/**
 * Posts suspicious events to a webhook. The body is signed with
 * HMAC-SHA256 over `${timestamp}.${body}`, sent as `t=…,v1=…`, so a receiver
 * can reject forgeries and replays older than a few minutes. Delivery has a
 * short timeout and never holds up the request that caused it.
 */
export function createAlertNotifier(options: AlertNotifierOptions) {
  const { url, secret, clock, logger, timeoutMs = 3_000 } = options;
  return function notify(kind: string, details: Record<string, unknown>): Promise<void> {
    const timestamp = Math.floor(clock() / 1000);
    const body = JSON.stringify({ kind, at: new Date(clock()).toISOString(), ...details });
    const signature = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", [SIGNATURE_HEADER]: `t=${timestamp},v1=${signature}` },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    })
      .then((response) => {
        if (!response.ok) throw new Error(`webhook answered ${response.status}`);
        logger.info({ event: "alert_sent", kind });
      })
      .catch((error: unknown) => logger.error({ event: "alert_failed", kind, error: error instanceof Error ? error.message : "unknown" }));
  };
}

export type NotifyAlert = ReturnType<typeof createAlertNotifier>;
