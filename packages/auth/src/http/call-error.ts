import type { ServerResponse } from "node:http";
import type { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { Context } from "../context.js";
import { AuthError } from "../errors.js";
import { callErrorShape } from "../trpc.js";
import { addVary } from "./vary.js";
import { endWithTurn } from "./end-with-turn.js";

// What tRPC's own answers vary by; the early-refusal test compares the two answers' headers, so drift shows.
const TRPC_VARY = "trpc-accept, accept";

/**
 * Answers a tRPC call that the HTTP layer refuses before tRPC runs (an early
 * rate limit, shed load, an oversized body), as tRPC would: the same body and
 * the same content headers.
 */
export function sendCallError(res: ServerResponse, error: TRPCError, ctx: Context, path: string): void {
  const payload = JSON.stringify({ error: callErrorShape(error, ctx, path) });
  res.statusCode = getHTTPStatusCodeFromError(error);
  if (error instanceof AuthError && error.retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(error.retryAfterSeconds));
  res.setHeader("Content-Type", "application/json");
  addVary(res, TRPC_VARY);
  res.setHeader("Content-Length", Buffer.byteLength(payload));
  endWithTurn(res, payload);
}
