import { errors } from "jose";
import { VerifyError } from "./errors.js";

/**
 * What a failure means for the caller. Only a token problem is the token's
 * fault; a JWKS that cannot be fetched or read is ours, and says so
 * (`store_unavailable`) rather than sending a user with a good token to sign in again.
 */
export function refusalOf(error: unknown): VerifyError {
  if (error instanceof VerifyError) return error;
  if (error instanceof errors.JWTExpired) return new VerifyError("token_expired", undefined, { cause: error });
  const keysUnavailable =
    !(error instanceof errors.JOSEError) ||
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    // jose's bare JOSEError is what it throws for a JWKS answer that is not 200 OK.
    error.constructor === errors.JOSEError;
  if (keysUnavailable) return new VerifyError("store_unavailable", "Gatehouse's signing keys could not be fetched.", { cause: error });
  return new VerifyError("token_invalid", undefined, { cause: error });
}
