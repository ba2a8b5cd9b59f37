import { defaultMessage, REASONS, type Reason } from "../errors.js";
import type { Reply } from "./reply.js";

const JSON_RPC_CODES: Partial<Record<string, number>> = { FORBIDDEN: -32003, NOT_FOUND: -32004 };

/** An error outside tRPC, in the same envelope tRPC uses, so clients parse one shape. */
export function sendError(reply: Reply, reason: Reason, status: number, message = defaultMessage(reason)): void {
  sendJson(reply, status, { error: { message, code: JSON_RPC_CODES[REASONS[reason]] ?? -32603, data: { code: REASONS[reason], httpStatus: status, reason } } });
}

export function sendJson(reply: Reply, status: number, body: unknown): void {
  reply.set("Content-Type", "application/json");
  reply.send(status, JSON.stringify(body));
}
