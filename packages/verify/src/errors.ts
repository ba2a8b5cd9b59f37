/**
 * Why a token or a call was refused, in Gatehouse's own words (its API's
 * `error.data.reason`), so clients react the same way to your service as to
 * Gatehouse: refresh on `token_expired` and `token_revoked`, step up on
 * `reauth_required`, sign in again on `token_invalid`, retry later on
 * `store_unavailable` (Gatehouse, or its keys, could not be consulted).
 */
export type RefusalReason = "token_expired" | "token_invalid" | "token_revoked" | "forbidden" | "reauth_required" | "store_unavailable";

const DEFAULT_MESSAGES: Record<RefusalReason, string> = {
  token_expired: "The access token has expired.",
  token_invalid: "The access token is not valid.",
  token_revoked: "The access token has been revoked.",
  forbidden: "You may not do this.",
  reauth_required: "Confirm your password to continue.",
  store_unavailable: "The sign-in service could not be reached; try again shortly.",
};

/** What `verify()` rejects with, and what the tRPC procedures refuse with. */
export class VerifyError extends Error {
  override readonly name = "VerifyError";
  readonly reason: RefusalReason;

  constructor(reason: RefusalReason, message?: string, options?: { cause?: unknown }) {
    super(message ?? DEFAULT_MESSAGES[reason], options);
    this.reason = reason;
  }
}
