import type { AnyTRPCRouter, TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { Context } from "../context.js";
import { AuthError } from "../errors.js";
import { callErrorShape } from "../trpc-internals.js";
import type { Reply } from "./reply.js";

// What tRPC's own answers vary by; the early-refusal test compares the two answers' headers, so drift shows.
const TRPC_VARY = "trpc-accept, accept";

/**
 * Answers a tRPC call that the HTTP layer refuses before tRPC runs (an early
 * rate limit, shed load, an oversized body), as tRPC would serving `router`:
 * the same body and the same content headers.
 */
export function sendCallError(reply: Reply, router: AnyTRPCRouter, error: TRPCError, ctx: Context, path: string): void {
  const payload = JSON.stringify({ error: callErrorShape(router, error, ctx, path) });
  if (error instanceof AuthError && error.retryAfterSeconds !== undefined) reply.set("Retry-After", String(error.retryAfterSeconds));
  reply.set("Content-Type", "application/json");
  reply.vary(TRPC_VARY);
  reply.send(getHTTPStatusCodeFromError(error), payload);
}
