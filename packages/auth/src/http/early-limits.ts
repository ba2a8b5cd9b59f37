import type { IncomingMessage, ServerResponse } from "node:http";
import type { AnyTRPCRouter } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { Context } from "../context.js";
import { AuthError } from "../errors.js";
import { enforceRateLimits, type LimitDeclaration } from "../rate-limit/enforce.js";
import { mutationErrorShape, type ProcedureMeta } from "../trpc.js";

// Login, signup and reset bodies are a few hundred bytes; bigger or chunked ones take the usual path.
const EARLY_BODY_LIMIT = 8 * 1024;

export type EarlyLimits = (req: IncomingMessage, res: ServerResponse, ctx: Context, path: string) => Promise<boolean>;

/**
 * Counts a small, single-call POST against its procedure's declared rate
 * limits before tRPC sees it, and answers a refusal itself; a procedure that
 * hashes is also shed here while hashing is saturated. A refused login then
 * costs a body read and a few store operations, not tRPC's Fetch Request, web
 * streams and error path: under a credential-stuffing flood or a login storm
 * that is most of the server's work. An allowed call goes on to tRPC with its
 * body and `ctx.limitsCounted`, so the middleware does not count it twice;
 * batches, queries and other bodies are counted by the middleware alone.
 * Either way the rules are the ones the procedure declares in its meta.
 *
 * Resolves true when it answered the request.
 */
export function createEarlyLimits(router: AnyTRPCRouter): EarlyLimits {
  const declared = new Map<string, { limits: readonly LimitDeclaration[]; hashes: boolean }>();
  for (const [path, procedure] of Object.entries(router._def.procedures as Record<string, { _def: { meta?: ProcedureMeta } }>)) {
    const meta = procedure._def.meta;
    if (meta?.limits?.length) declared.set(path, { limits: meta.limits, hashes: meta.hashes === true });
  }

  return async (req, res, ctx, path) => {
    const procedure = declared.get(path);
    const length = Number(req.headers["content-length"]);
    if (!procedure || req.method !== "POST" || req.headers["transfer-encoding"] !== undefined || !(length > 0 && length <= EARLY_BODY_LIMIT)) return false;
    const body = await readBody(req);
    // tRPC's Node adapter takes a body already read from here.
    (req as IncomingMessage & { body?: string }).body = body;
    try {
      await enforceRateLimits(ctx, procedure.limits, parseOrUndefined(body));
    } catch (error) {
      if (!(error instanceof AuthError && error.reason === "rate_limited")) return false; // e.g. the store is down: the middleware meets it and answers 503
      sendRefusal(res, error, ctx, path);
      return true;
    }
    ctx.limitsCounted = true;
    if (procedure.hashes && ctx.services.passwords.saturated()) {
      sendRefusal(res, new AuthError("overloaded", { retryAfterSeconds: 1 }), ctx, path);
      return true;
    }
    return false;
  };
}

function sendRefusal(res: ServerResponse, refusal: AuthError, ctx: Context, path: string): void {
  const payload = JSON.stringify({ error: mutationErrorShape(refusal, ctx, path) });
  res.statusCode = getHTTPStatusCodeFromError(refusal);
  res.setHeader("Retry-After", String(refusal.retryAfterSeconds ?? 1));
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Content-Length", Buffer.byteLength(payload));
  res.end(payload);
}

// Unparsable input fails validation in tRPC; the IP rules still count the call.
function parseOrUndefined(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("close", () => reject(new Error("the client went away before sending its body")));
    req.on("error", reject);
  });
}
