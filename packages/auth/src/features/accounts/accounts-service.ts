import { AuthError } from "../../errors.js";
import type { Events } from "../../events/events.js";
import { hasPassword } from "../../passwords/hasher.js";
import type { RequestMeta } from "../../request-meta.js";
import type { UserRecord } from "../users/user-record.js";
import type { IdentityStore, LinkedIdentity } from "./identity-store.js";

export interface AccountsServiceDeps {
  events: Events;
  identities: IdentityStore;
  /** Providers one can sign in with now: an identity of a provider no longer configured is no way in. */
  configuredProviders: ReadonlySet<string>;
  /** Whether the account has a passkey, which signs in on its own. */
  hasPasskey(userId: string): Promise<boolean>;
}

/** The provider identities linked to an account: listing, linking, unlinking. */
export function createAccountsService(deps: AccountsServiceDeps) {
  const { events, identities, configuredProviders, hasPasskey } = deps;

  return {
    async list(user: UserRecord): Promise<Array<{ provider: string; email: string | null; linkedAt: string }>> {
      return (await identities.list(user.id)).map((linked) => ({
        provider: linked.provider,
        email: linked.email,
        linkedAt: new Date(linked.linkedAt).toISOString(),
      }));
    },

    /**
     * Links a provider identity to the account. `how`: `requested` (the person,
     * signed in, asked for it) or `verified_email` (the provider and the account
     * both vouch for the address). Refuses an identity another account holds,
     * and a second identity of one provider.
     */
    async link(
      user: UserRecord,
      identity: LinkedIdentity,
      how: "requested" | "verified_email" | "signup",
      request: RequestMeta,
    ): Promise<"linked" | "already_linked"> {
      const outcome = await identities.link(user.id, identity);
      if (outcome === "taken") {
        throw new AuthError("forbidden", { message: "This provider account is already linked to another account: sign in with it and unlink it there first." });
      }
      if (outcome === "provider_taken") {
        const reason = how === "requested" ? "forbidden" : "link_required";
        throw new AuthError(reason, { message: "Another account of this provider is already linked here: unlink it first." });
      }
      if (outcome === "linked") events.emit("account_linked", { userId: user.id, provider: identity.provider, how, request });
      return outcome;
    },

    /**
     * Unlinks the provider, unless that would leave no way to sign in: the
     * account needs a password, a passkey or another identity of a configured
     * provider. An account a provider created has no password until it sets one
     * through a password reset. Emailed codes are not counted: whether a mail
     * reaches the address is not something the server can know.
     */
    async unlink(user: UserRecord, provider: string, request: RequestMeta): Promise<void> {
      const otherWayIn = hasPassword(user) || (await hasPasskey(user.id));
      const removed = await identities.unlink(
        user.id,
        provider,
        (remaining) => otherWayIn || remaining.some((linked) => configuredProviders.has(linked.provider)),
      );
      if (removed === undefined) throw new AuthError("not_found", { message: "No account of this provider is linked." });
      if (removed === "refused") {
        events.emit("permission_denied", { userId: user.id, check: "last_sign_in_method", provider, request });
        throw new AuthError("forbidden", {
          message:
            "This is the only way to sign in to this account. Set a password first (request a password reset for your address), add a passkey, or link another provider.",
        });
      }
      events.emit("account_unlinked", { userId: user.id, provider, request });
    },

    /** Removes every identity after a proof of the mailbox by someone who may not hold them. */
    async unlinkAll(userId: string, reason: string, request: RequestMeta): Promise<number> {
      const removed = await identities.unlinkAll(userId);
      for (const linked of removed) events.emit("account_unlinked", { userId, provider: linked.provider, reason, request });
      return removed.length;
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
