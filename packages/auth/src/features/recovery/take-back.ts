import type { AuthError } from "../../errors.js";
import type { Events } from "../../events/events.js";
import type { EndedAccess } from "../../mail/templates.js";
import type { RequestMeta } from "../../request-meta.js";
import type { AccountsService } from "../accounts/accounts-service.js";
import type { ApiKeyService } from "../api-keys/api-key-service.js";
import type { SessionAuth } from "../sessions/session-auth.js";
import type { MfaService } from "../mfa/mfa-service.js";
import type { SessionRecord } from "../sessions/session-store.js";
import type { UserRecord } from "../users/user-record.js";
import type { UserStore } from "../users/user-store.js";

export interface TakeBackDeps {
  events: Events;
  users: UserStore;
  sessionAuth: SessionAuth;
  mfa: MfaService;
  apiKeys: ApiKeyService;
  accounts: AccountsService;
  /** What to throw when the account is gone. */
  invalid: () => AuthError;
}

/**
 * What a proof of control of the account's mailbox (a completed reset, a
 * confirmation link) does, in one atomic update of the user: the address is
 * verified, and everything that may belong to whoever had access before ends —
 * sessions, device credentials, API keys. On an address never verified, anyone
 * could have signed up with it and set up a second factor or linked a sign-in
 * provider of their own, so those go too; on
 * a verified one a reset keeps it (a reset must not bypass 2FA). A confirmation
 * of an address already verified changes nothing (undefined). `keep` is the
 * session of a caller who opened the link while signed in to this account: it
 * holds both the session and the mailbox, so it goes on (as after a password
 * change) instead of signing the owner out of the tab they verified in.
 */
export function createTakeBack(deps: TakeBackDeps) {
  const { events, users, sessionAuth, mfa } = deps;
  return async function takeBack(
    user: UserRecord,
    via: "password_reset" | "email_verified",
    passwordHash: string | undefined,
    request: RequestMeta,
    keep?: SessionRecord,
  ): Promise<EndedAccess | undefined> {
    if (via === "email_verified" && user.emailVerified) return undefined;
    const apiKeys = (await deps.apiKeys.list(user)).length;
    let wasVerified = user.emailVerified;
    let secondFactor = false;
    const updated = await users.update(user.id, (u) => {
      wasVerified = u.emailVerified;
      secondFactor = !u.emailVerified && Boolean(u.mfa);
      if (via === "email_verified" && u.emailVerified) return u;
      return {
        ...u,
        ...(passwordHash ? { passwordHash } : {}),
        emailVerified: true,
        // Sessions and device credentials end with the generation, API keys with theirs, here at once.
        sessionGeneration: u.sessionGeneration + 1,
        apiKeyGeneration: (u.apiKeyGeneration ?? 0) + 1,
        ...(u.emailVerified ? {} : { mfaEnabled: false, mfa: null }),
      };
    });
    if (!updated) throw deps.invalid();
    if (via === "email_verified" && wasVerified) return undefined;
    if (!wasVerified) await Promise.all([mfa.discardPendingSetup(user.id), deps.accounts.unlinkAll(user.id, via, request)]);
    // Removes the ended sessions from the user's index (and logs them); the generation already ended them.
    const kept = keep?.userId === user.id ? keep : undefined;
    await sessionAuth.endAllSessions(user.id, via, request, kept);
    if (apiKeys > 0) events.emit("api_key_revoked", { userId: user.id, scope: "all", keys: apiKeys, reason: via, request });
    if (secondFactor) events.emit("mfa_disabled", { userId: user.id, reason: via, request });
    if (!wasVerified) events.emit("email_verified", { userId: user.id, via, request });
    return { apiKeys, secondFactor, keptSession: kept !== undefined };
  };
}
