import type { AnyTRPCRouter } from "@trpc/server";
import type { Context } from "../context.js";
import { AuthError } from "../errors.js";
import { countAhead, holdOverloadedAnswer, type LimitDeclaration } from "../call-limits.js";
import { catalogOf } from "../trpc-internals.js";

// Login, signup and reset bodies are a few hundred bytes; parsing bigger ones twice is left to tRPC alone.
const EARLY_BODY_LIMIT = 8 * 1024;

/** The refusal for a call, or undefined to let tRPC run it. `query` is the URL's search string, "?" included or empty. */
export type EarlyLimits = ((ctx: Context, path: string, query: string, body: string | undefined) => Promise<AuthError | undefined>) & {
  /**
   * Counts a call refused for its method or size (405, 413) against the rules
   * its procedure's input is not needed for (or `default`), so that answer
   * carries the rate-limit fields too; an unknown procedure is not counted.
   */
  countRefused(ctx: Context, path: string): Promise<void>;
};

/**
 * Counts a single-call POST against its procedure's declared rate limits
 * before tRPC sees it; a procedure that hashes is also shed here while hashing
 * is saturated. A refused login then costs a few store operations, not tRPC's
 * Fetch Request, web streams and error path: under a credential-stuffing flood
 * or a login storm that is most of the server's work. An allowed call goes on
 * to tRPC with the rules it was counted against in `ctx.limits`, so the
 * middleware counts no rule twice (and still counts one the body as read here
 * gave no key for); batches, queries and bodies over 8 KiB are counted by the
 * middleware alone. Either way the rules are the ones the procedure declares
 * in its meta.
 */
export function createEarlyLimits(router: AnyTRPCRouter): EarlyLimits {
  const declared = new Map<string, { limits: readonly LimitDeclaration[]; hashes: boolean }>();
  const procedures = new Set<string>();
  for (const { path, meta } of catalogOf(router)) {
    procedures.add(path);
    if (meta.limits?.length) declared.set(path, { limits: meta.limits, hashes: meta.hashes === true });
  }

  const countRefused = async (ctx: Context, path: string): Promise<void> => {
    if (!procedures.has(path) || !ctx.limits.empty) return;
    try {
      await countAhead(ctx, declared.get(path)?.limits, undefined);
      // Rules keyed by the input (an email) had nothing to count: the caller's `default` count stands in.
      if (ctx.limits.empty) await countAhead(ctx, undefined, undefined);
    } catch {
      // Over the limit or the store away: the answer stays the refusal it was, with whatever fields were set.
    }
  };

  const earlyLimits = async (ctx: Context, path: string, query: string, body: string | undefined): Promise<AuthError | undefined> => {
    const procedure = declared.get(path);
    // A batch of one has a single path too, but its body maps call indexes to inputs.
    if (!procedure || body === undefined || body.length > EARLY_BODY_LIMIT || isBatch(query)) return undefined;
    try {
      await countAhead(ctx, procedure.limits, parseOrUndefined(body));
    } catch (error) {
      if (error instanceof AuthError && error.reason === "rate_limited") return error;
      return undefined; // e.g. the store is down: the middleware meets it and answers 503
    }
    if (!procedure.hashes || !ctx.services.passwords.saturated()) return undefined;
    holdOverloadedAnswer(ctx);
    return new AuthError("overloaded", { retryAfterSeconds: 1 });
  };
  return Object.assign(earlyLimits, { countRefused });
}

// tRPC's own test for a batch.
const isBatch = (query: string): boolean => query !== "" && new URLSearchParams(query).get("batch") === "1";

// Unparsable input fails validation in tRPC; the IP rules still count the call.
function parseOrUndefined(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
