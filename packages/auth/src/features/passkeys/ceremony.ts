/** CONTRACT §5: a passkey challenge lives 5 minutes and is used once. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/**
 * The WebAuthn user handle of an account: its id, which is random and carries
 * nothing personal (WebAuthn §14.6.1 asks that it never hold an email or name).
 */
export const userHandleOf = (userId: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(userId, "utf8"));

/** The account id a discoverable credential's assertion names (`response.userHandle`, base64url). */
export const userIdOfHandle = (handle: string): string => Buffer.from(handle, "base64url").toString("utf8");
