import { TRPCError } from "@trpc/server";

/**
 * Every machine-readable reason a client may see (CONTRACT §3), with the tRPC
 * code that yields its HTTP status. The error formatter is the only place that
 * turns these into a response.
 */
export const REASONS = {
  validation_failed: "BAD_REQUEST",
  weak_password: "BAD_REQUEST",
  invalid_credentials: "UNAUTHORIZED",
  token_expired: "UNAUTHORIZED",
  token_invalid: "UNAUTHORIZED",
  token_revoked: "UNAUTHORIZED",
  refresh_invalid: "UNAUTHORIZED",
  refresh_reused: "UNAUTHORIZED",
  mfa_invalid: "UNAUTHORIZED",
  reauth_required: "FORBIDDEN",
  forbidden: "FORBIDDEN",
  account_disabled: "FORBIDDEN",
  email_not_verified: "FORBIDDEN",
  not_found: "NOT_FOUND",
  email_taken: "CONFLICT",
  code_invalid: "UNAUTHORIZED",
  passkey_invalid: "UNAUTHORIZED",
  oauth_failed: "UNAUTHORIZED",
  link_required: "CONFLICT",
  payload_too_large: "PAYLOAD_TOO_LARGE",
  rate_limited: "TOO_MANY_REQUESTS",
  account_locked: "TOO_MANY_REQUESTS",
  internal_error: "INTERNAL_SERVER_ERROR",
  store_unavailable: "SERVICE_UNAVAILABLE",
  overloaded: "SERVICE_UNAVAILABLE",
} as const satisfies Record<string, TRPCError["code"]>;

export type Reason = keyof typeof REASONS;

const DEFAULT_MESSAGES: Record<Reason, string> = {
  validation_failed: "The request is not valid.",
  weak_password: "Choose a stronger password.",
  invalid_credentials: "Email or password is incorrect.",
  token_expired: "The access token has expired.",
  token_invalid: "The access token is not valid.",
  token_revoked: "The access token has been revoked.",
  refresh_invalid: "The refresh token is not valid.",
  refresh_reused: "The refresh token was already used; the session has been ended.",
  mfa_invalid: "The code is not valid.",
  reauth_required: "Confirm your password to continue.",
  forbidden: "You may not do this.",
  account_disabled: "This account has been disabled.",
  email_not_verified: "Verify your email address first.",
  not_found: "Not found.",
  email_taken: "An account with this email already exists.",
  code_invalid: "The code or link is not valid, has expired or was already used.",
  passkey_invalid: "The passkey could not be verified.",
  oauth_failed: "Signing in with the provider did not succeed.",
  link_required: "An account with this email exists: sign in to it, then link the provider.",
  payload_too_large: "The request body is too large.",
  rate_limited: "Too many requests; try again later.",
  account_locked: "Too many failed attempts; try again later.",
  internal_error: "Something went wrong.",
  store_unavailable: "The service is temporarily unavailable.",
  overloaded: "The service is busy; try again shortly.",
};

/** One problem with the input: `path` is dotted (`refreshToken`, `items.0.name`), empty for the whole input. */
export interface Issue {
  path: string;
  message: string;
}

/** A refusal the client is meant to see, carrying its reason. */
export class AuthError extends TRPCError {
  readonly reason: Reason;
  /** Seconds, sent as `Retry-After` on 429/503. */
  readonly retryAfterSeconds: number | undefined;
  /** For `validation_failed` found after parsing: sent as `error.data.issues`. */
  readonly issues: readonly Issue[] | undefined;

  constructor(reason: Reason, options: { message?: string; retryAfterSeconds?: number; issues?: readonly Issue[] } = {}) {
    // A refusal is an expected answer, not a bug: no stack to capture (it never
    // leaves the server anyway), and capturing one is most of what a refused
    // call costs under a flood of them.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super({ code: REASONS[reason], message: options.message ?? DEFAULT_MESSAGES[reason] });
    Error.stackTraceLimit = stackTraceLimit;
    this.reason = reason;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.issues = options.issues;
  }
}

export function defaultMessage(reason: Reason): string {
  return DEFAULT_MESSAGES[reason];
}
