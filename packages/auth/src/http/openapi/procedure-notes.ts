import type { Reason } from "../../errors.js";
import type { ProcedurePath } from "../../trpc-internals.js";

export interface ProcedureNote {
  summary: string;
  /**
   * The refusals the procedure's own work can answer with. Those that follow
   * from its declaration (access, step-up, limits, hashing, input) and those
   * any call can meet are added by `reasonsOf`.
   */
  reasons: readonly Reason[];
  /** Reads `X-Auth-Mode`: where the refresh token (and device credential) travel. */
  authMode?: true;
}

/**
 * What the router cannot say about each procedure: a one-line summary and the
 * reasons its services refuse with. Keyed by the router's own paths, so a new
 * procedure does not type-check until it is described here.
 */
export const PROCEDURE_NOTES = {
  "auth.signup": { summary: "Create an account and sign in.", reasons: ["weak_password", "email_taken"], authMode: true },
  "auth.login": {
    summary: "Sign in with email and password; with two-factor on, answers an mfaToken instead of tokens.",
    reasons: ["invalid_credentials", "account_locked", "account_disabled", "email_not_verified"],
    authMode: true,
  },
  "auth.verifyMfa": { summary: "Finish a two-factor sign-in with a TOTP or recovery code.", reasons: ["mfa_invalid", "account_disabled"], authMode: true },
  "auth.reauthenticate": {
    summary: "Confirm the password (and code) again: a fresh authentication time for step-up.",
    reasons: ["invalid_credentials", "account_locked", "mfa_invalid", "overloaded"],
  },
  "auth.changePassword": {
    summary: "Change the password; every other session ends.",
    reasons: ["invalid_credentials", "account_locked", "weak_password", "overloaded"],
  },
  "auth.requestPasswordReset": { summary: "Mail a reset link if the address has an account; always answers ok.", reasons: [] },
  "auth.resetPassword": {
    summary:
      "Set a new password with the token from the reset link; every session, device credential and API key ends (and, on an address never verified, the second factor).",
    reasons: ["code_invalid", "weak_password", "overloaded"],
  },
  "auth.requestEmailVerification": {
    summary:
      "Mail a verification link: to the signed-in caller's address, or (signed out) to {email}, answered the same whether or not that address has an account.",
    reasons: ["token_invalid"],
  },
  "auth.verifyEmail": {
    summary: "Confirm the address with the token from the verification link; a first confirmation ends everything set up before it.",
    reasons: ["code_invalid"],
  },
  "auth.refresh": { summary: "Trade the refresh token for a new token pair (rotated: the old refresh token is spent).", reasons: [], authMode: true },
  "auth.logout": { summary: "End the session named by the access token or the refresh token.", reasons: [], authMode: true },
  "auth.logoutAll": { summary: "End every session of the user.", reasons: [], authMode: true },
  "auth.me": { summary: "The signed-in user.", reasons: [] },
  "auth.introspect": {
    summary: "What an access token stands for at this instant (live session, role, lock state): {active:false} for any token that is not live.",
    reasons: [],
  },
  "auth.requestEmailCode": { summary: "Mail a 6-digit sign-in code and a one-click link (10 minutes, once); always answers ok.", reasons: [] },
  "auth.loginWithEmailCode": {
    summary:
      "Sign in with the mailed code ({email, code}) or the link's token ({token}); with two-factor on, answers an mfaToken instead of tokens. A first code on an unverified address confirms it, ending everything set up before.",
    reasons: ["code_invalid", "account_locked", "account_disabled"],
    authMode: true,
  },
  "auth.passkeyOptions": { summary: "WebAuthn request options and a challenge (5 minutes, once) for signing in with a passkey.", reasons: [] },
  "auth.loginWithPasskey": {
    summary: "Sign in with a passkey's assertion; no two-factor step follows.",
    reasons: ["passkey_invalid", "account_locked", "account_disabled", "email_not_verified"],
    authMode: true,
  },
  "passkeys.registrationOptions": { summary: "WebAuthn creation options and a challenge bound to this session, to add a passkey.", reasons: ["forbidden"] },
  "passkeys.register": { summary: "Add a passkey with the browser's registration response.", reasons: ["passkey_invalid", "forbidden"] },
  "passkeys.list": { summary: "The user's passkeys, with when each was added and last used.", reasons: [] },
  "passkeys.rename": { summary: "Rename one of the user's passkeys.", reasons: ["not_found"] },
  "passkeys.remove": { summary: "Remove one of the user's passkeys.", reasons: ["not_found"] },
  "sessions.list": { summary: "The user's live sessions, most recently used first.", reasons: [] },
  "sessions.revoke": { summary: "End one of the user's sessions.", reasons: ["not_found"] },
  "mfa.setupTotp": { summary: "Start two-factor setup: a new TOTP secret and its otpauth:// URL.", reasons: [] },
  "mfa.enableTotp": { summary: "Turn two-factor on with a first code; answers the recovery codes, shown once.", reasons: ["mfa_invalid"] },
  "mfa.disableTotp": { summary: "Turn two-factor off with a current code.", reasons: ["mfa_invalid"] },
  "apiKeys.create": { summary: "Create an API key; the key is shown once.", reasons: [] },
  "apiKeys.list": { summary: "The user's API keys (never the keys themselves).", reasons: [] },
  "apiKeys.revoke": { summary: "Revoke one of the user's API keys.", reasons: ["not_found"] },
  "users.get": { summary: "A user by id: your own, or anyone's for an admin.", reasons: ["not_found"] },
  "users.update": { summary: "Change your display name (no other field).", reasons: ["not_found"] },
  "activity.list": { summary: "Your own security events, newest first.", reasons: [] },
  "admin.listUsers": { summary: "Every user in signup order, a page at a time.", reasons: [] },
  "admin.setRole": { summary: "Make a user an admin or a user; their live tokens lose the old role at once.", reasons: ["not_found"] },
  "admin.lockUser": { summary: "Lock an account: its sessions and tokens die at once, its API keys are suspended.", reasons: ["not_found"] },
  "admin.unlockUser": { summary: "Unlock an account.", reasons: ["not_found"] },
  "admin.auditLog": { summary: "The hash-chained audit trail, newest first.", reasons: [] },
  "admin.verifyAuditLog": { summary: "Check the audit trail's hash chain.", reasons: [] },
  "auth.oauthProviders": { summary: 'The sign-in providers configured, for "Sign in with …" buttons.', reasons: [] },
  "auth.oauthStart": {
    summary:
      "Apps: start a provider sign-in with the app's own redirect URI; the server holds state, nonce and PKCE. Browsers use GET /oauth/<provider>/start instead.",
    reasons: ["not_found", "oauth_failed"],
  },
  "auth.oauthFinish": {
    summary: "Apps: finish a provider sign-in (or a link started with accounts.linkStart) with the code and state the redirect URI received.",
    reasons: ["oauth_failed", "link_required", "account_locked", "account_disabled", "email_not_verified", "forbidden", "not_found", "token_revoked"],
    authMode: true,
  },
  "accounts.list": { summary: "The provider identities linked to your account.", reasons: [] },
  "accounts.linkStart": {
    summary: "Start linking a provider to your account: the provider's callback links instead of signing in.",
    reasons: ["not_found", "oauth_failed"],
  },
  "accounts.unlink": { summary: "Unlink a provider; refused when it is the account's only way to sign in.", reasons: ["not_found", "forbidden"] },
} as const satisfies Record<ProcedurePath, ProcedureNote>;

export function noteOf(path: string): ProcedureNote {
  const note = (PROCEDURE_NOTES as Record<string, ProcedureNote>)[path];
  if (!note) throw new Error(`${path} has no entry in PROCEDURE_NOTES`);
  return note;
}
