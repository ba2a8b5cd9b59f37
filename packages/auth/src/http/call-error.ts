import type { ServerResponse } from "node:http";
import type { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { Context } from "../context.js";
import { AuthError } from "../errors.js";
import { callErrorShape } from "../trpc.js";

/**
 * Answers a tRPC call that the HTTP layer refuses before tRPC runs (an early
 * rate limit, shed load, an oversized body), byte for byte as tRPC would.
 */
export function sendCallError(res: ServerResponse, error: TRPCError, ctx: Context, path: string): void {
  const payload = JSON.stringify({ error: callErrorShape(error, ctx, path) });
  res.statusCode = getHTTPStatusCodeFromError(error);
  if (error instanceof AuthError && error.retryAfterSeconds !== undefined) res.setHeader("Retry-After", String(error.retryAfterSeconds));
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Content-Length", Buffer.byteLength(payload));
  res.end(payload);
}
