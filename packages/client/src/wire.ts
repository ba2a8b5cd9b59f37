import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./router.js";

type Outputs = inferRouterOutputs<AppRouter>;

/** What a sign-in answers (CONTRACT §4): the access token, the user and, in token mode, the refresh token. */
export type TokenSet = Outputs["auth"]["signup"];
/** A user as Gatehouse shows one: never more than these fields. */
export type PublicUser = Outputs["auth"]["me"]["user"];

/** What `auth.login` answers instead of a TokenSet when the account has two-factor turned on. */
export interface MfaChallenge {
  mfaRequired: true;
  mfaToken: string;
}

export function isMfaChallenge(value: unknown): value is MfaChallenge {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { mfaRequired?: unknown }).mfaRequired === true &&
    typeof (value as { mfaToken?: unknown }).mfaToken === "string"
  );
}
