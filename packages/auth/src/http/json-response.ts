import type { ServerResponse } from "node:http";

import { defaultMessage, REASONS, type Reason } from "../errors.js";
import { endWithTurn } from "./end-with-turn.js";

const JSON_RPC_CODES: Partial<Record<string, number>> = { FORBIDDEN: -32003, NOT_FOUND: -32004 };

/** An error outside tRPC, in the same envelope tRPC uses, so clients parse one shape. */
export function sendError(res: ServerResponse, reason: Reason, status: number, message = defaultMessage(reason)): void {
  sendJson(res, status, { error: { message, code: JSON_RPC_CODES[REASONS[reason]] ?? -32603, data: { code: REASONS[reason], httpStatus: status, reason } } });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Content-Length", Buffer.byteLength(payload));
  endWithTurn(res, payload);
}
