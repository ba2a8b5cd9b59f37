import { initTRPC, type TRPCError } from "@trpc/server";
import { StoreUnavailableError } from "@gatehouse/store";
import { AuthError, defaultMessage, type Reason } from "./errors.js";
import type { Context } from "./context.js";
import { enforceRateLimits, type LimitDeclaration } from "./rate-limit/enforce.js";

/** How a procedure may be called; every procedure states one (default deny). */
export type Access = "public" | "refresh_token" | "session" | "user";

export interface ProcedureMeta {
  access: Access;
  /** The procedure's own rate-limit rules; without any, `default` applies. */
  limits?: readonly LimitDeclaration[];
}

export interface Issue {
  path: string;
  message: string;
}

/** The one place that decides a failure's reason, whatever threw it. */
export function reasonOf(error: TRPCError): Reason {
  if (error instanceof AuthError) return error.reason;
  const cause = error.cause;
  if (cause instanceof AuthError) return cause.reason;
  if (cause instanceof StoreUnavailableError) return "store_unavailable";
  switch (error.code) {
    case "BAD_REQUEST":
    case "PARSE_ERROR":
      return "validation_failed";
    case "NOT_FOUND":
    case "METHOD_NOT_SUPPORTED":
      return "not_found";
    case "PAYLOAD_TOO_LARGE":
      return "payload_too_large";
    case "UNAUTHORIZED":
      return "token_invalid";
    case "FORBIDDEN":
      return "forbidden";
    case "TOO_MANY_REQUESTS":
      return "rate_limited";
    default:
      return "internal_error";
  }
}

function issuesOf(error: TRPCError): Issue[] {
  const issues = (error.cause as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) {
    return [{ path: "", message: error.code === "PARSE_ERROR" ? "The request body is not valid JSON." : defaultMessage("validation_failed") }];
  }
  return issues.map((issue: { path?: PropertyKey[]; message?: string }) => ({
    path: (issue.path ?? []).map(String).join("."),
    message: String(issue.message ?? "Invalid value"),
  }));
}


const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    // Never send stack traces, whatever NODE_ENV says.
    isDev: false,
    errorFormatter({ shape, error }) {
      const reason = reasonOf(error);
      const issues = reason === "validation_failed" ? issuesOf(error) : undefined;
      const exposesMessage = error instanceof AuthError || (error.code !== "INTERNAL_SERVER_ERROR" && !(error.cause instanceof StoreUnavailableError));
      return {
        code: shape.code,
        message: exposesMessage && reason !== "validation_failed" ? shape.message : defaultMessage(reason),
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          reason,
          ...(issues ? { issues } : {}),
        },
      };
    },
  });

export const router = t.router;
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;

// A store outage surfaces as 503 `store_unavailable` from every procedure:
// fail closed, never an unexplained 500 and never a skipped check.
const storeFailuresAreUnavailable = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof StoreUnavailableError) {
    throw new AuthError("store_unavailable", { retryAfterSeconds: 1 });
  }
  return result;
});

// Runs before input parsing and before any hashing: a refused call is cheap.
const rateLimited = t.middleware(async ({ ctx, meta, getRawInput, next }) => {
  await enforceRateLimits(ctx, meta?.limits, await getRawInput().catch(() => undefined));
  return next();
});

const base = t.procedure.use(storeFailuresAreUnavailable).use(rateLimited);

const authenticated = t.middleware(async ({ ctx, next }) => {
  const token = ctx.bearerToken;
  if (!token) throw new AuthError("token_invalid", { message: "Send an access token as Authorization: Bearer …" });
  const auth = await ctx.services.auth.authenticate(token);
  return next({ ctx: { auth } });
});

/** The procedure builders. There is no bare builder: each one declares its access. */
export const procedures = {
  public: base.meta({ access: "public" }),
  refreshToken: base.meta({ access: "refresh_token" }),
  /** Either credential identifies the session (logout). */
  session: base.meta({ access: "session" }),
  user: base.meta({ access: "user" }).use(authenticated),
};
