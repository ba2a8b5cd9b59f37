import type { Store } from "@gatehouse/store";
import { STORE_KEYS } from "../../store-keys.js";

/** A provider identity linked to an account. */
export interface LinkedIdentity {
  provider: string;
  /** The provider's stable id for the person. */
  subject: string;
  /** The address the provider gave at the last sign-in, for display. */
  email: string | null;
  linkedAt: number;
}

export type LinkOutcome = "linked" | "already_linked" | "taken" | "provider_taken";

const identityKey = STORE_KEYS.oauthIdentity;
// The account's own list: at most one identity per configured provider, so one small value, changed by compare-and-swap.
const linksKey = STORE_KEYS.oauthLinksOfUser;

const sameIdentity = (a: { provider: string; subject: string }, b: { provider: string; subject: string }) =>
  a.provider === b.provider && a.subject === b.subject;

/**
 * Two records agree on every link: the identity's claim (which account holds
 * it; `setIfAbsent`, so exactly one account wins) and the account's list. An
 * identity signs in only when both say so, so a link or unlink cut short
 * halfway (a crash, a lost connection) never signs anyone in to the wrong account.
 */
export function createIdentityStore(store: Store) {
  const list = async (userId: string): Promise<readonly LinkedIdentity[]> => (await store.get<LinkedIdentity[]>(linksKey(userId))) ?? [];
  // Only the holder's own claim is released: another account may have taken it over meanwhile.
  const release = (provider: string, subject: string, userId: string) =>
    store.update<string>(identityKey(provider, subject), (holder) => (holder === userId ? undefined : holder));

  /**
   * Claims the identity for `userId`; false when another account holds it. The
   * account's list gains the identity before its claim is made and loses it
   * before its claim is released, so a claim whose holder's list lacks it was
   * left by an unlink cut short, and is taken over.
   */
  async function claim(identity: LinkedIdentity, userId: string): Promise<boolean> {
    const key = identityKey(identity.provider, identity.subject);
    if (await store.setIfAbsent(key, userId)) return true;
    const holder = await store.get<string>(key);
    if (holder === userId) return true;
    if (holder !== undefined && (await list(holder)).some((linked) => sameIdentity(linked, identity))) return false;
    return (await store.update<string>(key, (current) => (current === holder ? userId : current))) === userId;
  }

  const removeFromList = (userId: string, identity: { provider: string; subject: string }) =>
    store.update<LinkedIdentity[]>(linksKey(userId), (current) => {
      const rest = current?.filter((linked) => !sameIdentity(linked, identity));
      return rest?.length ? rest : undefined;
    });

  return {
    list,

    /** The account an identity signs in to, in two reads whatever the number of accounts. */
    async findUserId(provider: string, subject: string): Promise<string | undefined> {
      const userId = await store.get<string>(identityKey(provider, subject));
      if (userId === undefined) return undefined;
      return (await list(userId)).some((linked) => sameIdentity(linked, { provider, subject })) ? userId : undefined;
    },

    /** Links `identity` to the account: refused when another account holds it, or this one holds another identity of that provider. */
    async link(userId: string, identity: LinkedIdentity): Promise<LinkOutcome> {
      // Set inside the update callback, which the compiler cannot follow: hence the widening cast.
      let outcome = "linked" as LinkOutcome;
      await store.update<LinkedIdentity[]>(linksKey(userId), (current) => {
        const ofProvider = current?.find((linked) => linked.provider === identity.provider);
        outcome = !ofProvider ? "linked" : ofProvider.subject === identity.subject ? "already_linked" : "provider_taken";
        return outcome === "linked" ? [...(current ?? []), identity] : current;
      });
      if (outcome === "provider_taken" || (await claim(identity, userId))) return outcome;
      // Another account holds it: this account's entry comes out again.
      await removeFromList(userId, identity);
      return "taken";
    },

    /** Keeps the address shown for a linked identity current. */
    async noteEmail(userId: string, identity: { provider: string; subject: string; email: string | null }): Promise<void> {
      await store.update<LinkedIdentity[]>(linksKey(userId), (current) =>
        current?.map((linked) => (sameIdentity(linked, identity) && linked.email !== identity.email ? { ...linked, email: identity.email } : linked)),
      );
    },

    /**
     * Removes the account's identity of `provider` in one atomic step, unless
     * `mayRemove` (given the identities that would remain) says no: two
     * unlinks at once cannot both pass a check that only one of them may.
     */
    async unlink(
      userId: string,
      provider: string,
      mayRemove: (remaining: readonly LinkedIdentity[]) => boolean,
    ): Promise<LinkedIdentity | "refused" | undefined> {
      let removed: LinkedIdentity | undefined;
      let refused = false;
      await store.update<LinkedIdentity[]>(linksKey(userId), (current) => {
        removed = current?.find((linked) => linked.provider === provider);
        const remaining = current?.filter((linked) => linked !== removed) ?? [];
        refused = removed !== undefined && !mayRemove(remaining);
        if (!removed || refused) return current;
        return remaining.length > 0 ? remaining : undefined;
      });
      if (refused) return "refused";
      if (removed) await release(removed.provider, removed.subject, userId);
      return removed;
    },

    /** Removes every identity of the account (its mailbox was proven by someone who may not hold them). */
    async unlinkAll(userId: string): Promise<readonly LinkedIdentity[]> {
      const removed = (await store.take<LinkedIdentity[]>(linksKey(userId))) ?? [];
      await Promise.all(removed.map((linked) => release(linked.provider, linked.subject, userId)));
      return removed;
    },
  };
}

export type IdentityStore = ReturnType<typeof createIdentityStore>;
