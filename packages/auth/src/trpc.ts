import { initTRPC, type TRPCError } from "@trpc/server";
import { z, type ZodType } from "zod";
import { InvalidCollectionInputError, StoreUnavailableError } from "@gatehouse/store";
import { AuthError, defaultMessage, type Issue, type Reason } from "./errors.js";
import type { Context, Services } from "./context.js";
import { isAdminOnlyScope, type ApiKeyScope } from "./api-key-scopes.js";
import { enforceRateLimits, type LimitDeclaration } from "./call-limits.js";
import { API_KEY_PREFIX } from "./tokens/api-key-prefix.js";

/** How a procedure may be called; every procedure states one (default deny). */
/** `api_key`: an API key carrying `apiKeyScope`, and nothing else (a signed-in user is refused). */
export type Access = "public" | "refresh_token" | "session" | "user" | "admin" | "api_key";

export interface ProcedureMeta {
  access: Access;
  /** API keys may call only procedures that name the scope they need. */
  apiKeyScope?: ApiKeyScope;
  /** Needs a password entered within the step-up window (`auth_time`). */
  stepUp?: boolean;
  /**
   * Open to a user whose address is not verified while verification is
   * required (reading their profile, signing out); every other procedure
   * answers them `email_not_verified`.
   */
  unverifiedEmail?: boolean;
  /** The procedure's own rate-limit rules; without any, `default` applies. */
  limits?: readonly LimitDeclaration[];
  /**
   * Hashes or verifies a password whatever the input: while hashing is
   * saturated, a single call is shed in the HTTP layer before tRPC runs
   * (batched calls meet the hashing queue's own refusal).
   */
  hashes?: boolean;
  /**
   * The answer's schema for a procedure that does not parse its output (a hot
   * read, where a parser is one more tRPC layer per call): it types the
   * resolver's return and describes the answer in /openapi.json.
   */
  unparsedOutput?: ZodType;
}

/** The one place that decides a failure's reason, whatever threw it. */
export function reasonOf(error: TRPCError): Reason {
  if (error instanceof AuthError) return error.reason;
  const cause = error.cause;
  if (cause instanceof AuthError) return cause.reason;
  if (cause instanceof StoreUnavailableError) return "store_unavailable";
  // A cursor the store cannot read (malformed, or from another list) is the caller's input.
  if (cause instanceof InvalidCollectionInputError) return "validation_failed";
  switch (error.code) {
    case "BAD_REQUEST":
    case "PARSE_ERROR":
    case "UNSUPPORTED_MEDIA_TYPE":
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

function issuesOf(error: TRPCError): readonly Issue[] {
  if (error instanceof AuthError && error.issues) return error.issues;
  if (error.cause instanceof InvalidCollectionInputError) return [{ path: "cursor", message: "The cursor is not one this list handed out." }];
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
    errorFormatter({ shape, error, ctx }) {
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
          ...(ctx ? { requestId: ctx.meta.requestId } : {}),
        },
      };
    },
  });

export const router = t.router;
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;

const storeUnavailable = () => new AuthError("store_unavailable", { retryAfterSeconds: 1 });

// A store outage surfaces as 503 `store_unavailable` from every procedure:
// fail closed, never an unexplained 500 and never a skipped check.
const failedClosed = (error: unknown): unknown => (error instanceof StoreUnavailableError ? storeUnavailable() : error);

function failClosedResult<R extends { ok: boolean }>(result: R): R {
  if (!result.ok && (result as { error?: TRPCError }).error?.cause instanceof StoreUnavailableError) throw storeUnavailable();
  return result;
}

/**
 * The call's answer, once the audit and activity records of its events are
 * written: a call whose record could not be kept fails (503) rather than
 * answering as if it had been. A call with no records answers at once.
 */
function answerWithRecords<R extends { ok: boolean }>(ctx: Context, result: R): R | Promise<R> {
  const records = ctx.services.events.settle(ctx.meta);
  if (!records) return failClosedResult(result);
  return records.then(
    () => failClosedResult(result),
    (error: unknown) => {
      throw failedClosed(error);
    },
  );
}

const readsInput = (declaration: LimitDeclaration): boolean => declaration.by !== "ip";

// Runs before input parsing and before any hashing, so a refused call is cheap.
// Only rules keyed by an email look at the input; the rest do not wait for it.
function countLimits(ctx: Context, meta: ProcedureMeta | undefined, getRawInput: () => Promise<unknown>): Promise<void> {
  const limits = meta?.limits;
  if (!limits?.some(readsInput)) return enforceRateLimits(ctx, limits, undefined);
  return getRawInput().then(
    (rawInput) => enforceRateLimits(ctx, limits, rawInput),
    () => enforceRateLimits(ctx, limits, undefined),
  );
}

/** The one middleware of a public procedure (a single layer: tRPC's cost grows with each). */
const limitedAndFailClosed = t.middleware(async ({ ctx, meta, getRawInput, next }) => {
  try {
    await countLimits(ctx, meta, getRawInput);
  } catch (error) {
    throw failedClosed(error);
  }
  try {
    return answerWithRecords(ctx, await next());
  } finally {
    ctx.memo.clear();
  }
});

const base = t.procedure.use(limitedAndFailClosed);

/** Who is calling a protected procedure: a signed-in user, or a user's API key. */
/** Named by what the services' `authenticate` answers, so this layer imports no feature. */
export type Caller =
  | ({ kind: "user" } & Awaited<ReturnType<Services["sessionAuth"]["authenticate"]>>)
  | ({ kind: "apiKey" } & Awaited<ReturnType<Services["apiKeys"]["authenticate"]>>);

/**
 * The one authorization gate, driven by the procedure's declared access:
 * who may call (user, admin), whether API keys may and with which scope, and
 * whether the action needs a recent password (step-up). Refusals are logged.
 */
async function identifyCaller(ctx: Context, access: ProcedureMeta, path: string): Promise<Caller> {
  const deny = (reason: "forbidden" | "reauth_required", userId: string, message?: string): never => {
    ctx.services.events.emit("permission_denied", { userId, procedure: path, required: describeAccess(access), request: ctx.meta });
    throw new AuthError(reason, message ? { message } : {});
  };
  const token = ctx.bearerToken;
  if (!token) throw new AuthError("token_invalid", { message: "Send an access token as Authorization: Bearer …" });

  let caller: Caller;
  if (token.startsWith(API_KEY_PREFIX)) {
    const { user, apiKey } = await ctx.services.apiKeys.authenticate(token);
    if (!access.apiKeyScope) deny("forbidden", user.id, "API keys cannot call this procedure.");
    if (!apiKey.scopes.includes(access.apiKeyScope!)) deny("forbidden", user.id, `This API key lacks the ${access.apiKeyScope} scope.`);
    if (isAdminOnlyScope(access.apiKeyScope!) && user.role !== "admin") deny("forbidden", user.id, "Only an admin's API key may use this scope.");
    caller = { kind: "apiKey", user, apiKey };
  } else {
    caller = { kind: "user", ...(await ctx.services.sessionAuth.authenticate(token)) };
  }
  if (access.access === "api_key" && caller.kind !== "apiKey") deny("forbidden", caller.user.id, "Only an API key may call this procedure.");
  // With verification required, tokens of an unconfirmed address do nothing but what confirms it.
  if (!caller.user.emailVerified && !access.unverifiedEmail) ctx.services.sessionAuth.assertVerifiedIfRequired(caller.user);
  // The role is read from the store on every call; the token's claim is never trusted alone.
  if (access.access === "admin" && caller.user.role !== "admin") deny("forbidden", caller.user.id);
  if (access.stepUp && caller.kind === "apiKey") deny("forbidden", caller.user.id, "API keys cannot call this procedure.");
  if (access.stepUp && caller.kind === "user") {
    const ageSeconds = ctx.services.config.clock() / 1000 - caller.claims.auth_time;
    if (ageSeconds > ctx.services.config.stepUpWindowSeconds) deny("reauth_required", caller.user.id);
  }
  return caller;
}

/** The one middleware of a protected procedure: limits, then who is calling, in a single layer. */
const limitedAuthorizedAndFailClosed = t.middleware(async ({ ctx, meta, path, getRawInput, next }) => {
  let caller: Caller;
  try {
    await countLimits(ctx, meta, getRawInput);
    caller = await identifyCaller(ctx, meta!, path);
  } catch (error) {
    throw failedClosed(error);
  }
  try {
    return answerWithRecords(ctx, await next({ ctx: { caller } }));
  } finally {
    ctx.memo.clear();
  }
});

/** The signed-in user behind a procedure that refuses API keys. */
export function sessionCaller(caller: Caller): Extract<Caller, { kind: "user" }> {
  if (caller.kind !== "user") throw new AuthError("forbidden", { message: "API keys cannot call this procedure." });
  return caller;
}

function describeAccess(meta: ProcedureMeta): string {
  return [meta.access, meta.apiKeyScope && `apiKey:${meta.apiKeyScope}`, meta.stepUp && "step-up"].filter(Boolean).join(" ");
}

const protectedProcedure = (meta: Omit<ProcedureMeta, "limits">) => t.procedure.meta(meta).use(limitedAuthorizedAndFailClosed);

/** The answer of a procedure that has nothing to tell but that it did what was asked. */
export const okOutput = z.object({ ok: z.literal(true) });

/** The procedure builders. There is no bare builder: each one declares its access. */
export const procedures = {
  public: base.meta({ access: "public" }),
  refreshToken: base.meta({ access: "refresh_token" }),
  /** Either credential identifies the session (logout). */
  session: base.meta({ access: "session" }),
  user: protectedProcedure({ access: "user" }),
  userWithStepUp: protectedProcedure({ access: "user", stepUp: true }),
  /** A signed-in user, or an API key of theirs that carries `scope`. */
  userOrApiKey: (scope: ApiKeyScope) => protectedProcedure({ access: "user", apiKeyScope: scope }),
  /** An API key with `scope`, never a signed-in user (service-to-service calls). */
  apiKey: (scope: ApiKeyScope) => protectedProcedure({ access: "api_key", apiKeyScope: scope }),
  admin: protectedProcedure({ access: "admin" }),
  adminWithStepUp: protectedProcedure({ access: "admin", stepUp: true }),
};
