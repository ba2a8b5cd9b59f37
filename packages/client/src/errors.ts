import type { inferRouterError } from "@trpc/server";
import type { AppRouter } from "./router.js";

/** Every machine-readable reason the server may answer with (CONTRACT §3). */
export type GatehouseReason = inferRouterError<AppRouter>["data"]["reason"];

export interface ValidationIssue {
  path: string;
  message: string;
}

interface ErrorDataLike {
  reason?: unknown;
  httpStatus?: unknown;
  issues?: unknown;
}

/**
 * Reads a TRPCClientError (or anything shaped like one) without `instanceof`,
 * which fails when an app ends up with two copies of @trpc/client.
 */
function dataOf(error: unknown): ErrorDataLike | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const data = (error as { data?: unknown }).data;
  return typeof data === "object" && data !== null ? (data as ErrorDataLike) : undefined;
}

function responseOf(error: unknown): { status?: number; headers?: { get(name: string): string | null } } | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const meta = (error as { meta?: { response?: unknown } }).meta;
  const response = meta?.response;
  return typeof response === "object" && response !== null ? (response as { status?: number; headers?: { get(name: string): string | null } }) : undefined;
}

/** The server's `error.data.reason`, or undefined for a network failure or an error that did not come from Gatehouse. */
export function reasonOf(error: unknown): GatehouseReason | undefined {
  if (error instanceof GatehouseError) return error.reason;
  const reason = dataOf(error)?.reason;
  return typeof reason === "string" ? (reason as GatehouseReason) : undefined;
}

/**
 * Seconds to wait before trying again, from the `Retry-After` header of a
 * 429/503 answer. tRPC does not surface headers in its error, but the HTTP
 * link keeps the response it came from in `error.meta.response`.
 */
export function retryAfterSecondsOf(error: unknown): number | undefined {
  if (error instanceof GatehouseError) return error.retryAfterSeconds;
  const header = responseOf(error)?.headers?.get?.("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/**
 * What the SDK's own methods (login, signup, refresh, …) reject with: the
 * reason, the HTTP status and, for 429, how long to wait, so a UI can say
 * "try again in 30 s" without digging through tRPC's error. `reason` is
 * undefined when the server could not be reached or answered something else.
 */
export class GatehouseError extends Error {
  override readonly name = "GatehouseError";
  readonly reason: GatehouseReason | undefined;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  /** For `validation_failed`: which fields, and what is wrong with them. */
  readonly issues: readonly ValidationIssue[] | undefined;

  constructor(
    message: string,
    options: {
      reason?: GatehouseReason | undefined;
      status?: number | undefined;
      retryAfterSeconds?: number | undefined;
      issues?: readonly ValidationIssue[] | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.reason = options.reason;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.issues = options.issues;
  }

  /** Wraps whatever a call threw; a GatehouseError is returned as it is. */
  static from(error: unknown): GatehouseError {
    if (error instanceof GatehouseError) return error;
    const data = dataOf(error);
    const status = typeof data?.httpStatus === "number" ? data.httpStatus : responseOf(error)?.status;
    const message = error instanceof Error ? error.message : String(error);
    return new GatehouseError(message, {
      reason: reasonOf(error),
      status,
      retryAfterSeconds: retryAfterSecondsOf(error),
      issues: Array.isArray(data?.issues) ? (data.issues as ValidationIssue[]) : undefined,
      cause: error,
    });
  }
}

/** For `.catch(...)`: what the SDK's own methods reject with. */
export function rethrowAsGatehouseError(error: unknown): never {
  throw GatehouseError.from(error);
}

/**
 * Refusals of the access token that a refresh answers: `token_expired`, and
 * `token_revoked`, after which the refresh either succeeds or shows at once
 * that the session is over. Not `token_invalid`: a fresh token would be refused
 * the same way (wrong audience, say), and every call would cost a refresh.
 */
const REFRESHABLE_REJECTIONS: ReadonlySet<string> = new Set(["token_expired", "token_revoked"]);

export function needsNewAccessToken(error: unknown): boolean {
  const reason = reasonOf(error);
  return reason !== undefined && REFRESHABLE_REJECTIONS.has(reason);
}

/**
 * Refresh answers after which retrying cannot help: the session is over.
 * Anything else (network, 5xx, rate limits) is transient and leaves the
 * session in place for the next attempt.
 */
const SESSION_ENDINGS: ReadonlySet<string> = new Set(["refresh_invalid", "refresh_reused", "account_disabled", "token_revoked"]);

export function endsSession(error: unknown): boolean {
  const reason = reasonOf(error);
  return reason !== undefined && SESSION_ENDINGS.has(reason);
}
