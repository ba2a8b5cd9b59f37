import type { PublicUser, TokenSet } from "@gatehouse/auth";

// Types only: the server's own definitions, erased from the emitted JavaScript.
export type { PublicUser, TokenSet };

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
