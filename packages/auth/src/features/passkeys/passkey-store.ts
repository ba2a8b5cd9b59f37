import type { Store } from "@gatehouse/store";
import { STORE_KEYS } from "../../store-keys.js";

/** One registered credential of a user (the public key only: the private key never leaves the authenticator). */
export interface PasskeyRecord {
  id: string;
  /** The credential id, base64url, as the authenticator names it. */
  credentialId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The authenticator's signature counter at the last accepted use (WebAuthn §6.1.1). */
  counter: number;
  transports: string[];
  /** Whether the credential may sync between devices (a multi-device passkey) and was backed up. */
  multiDevice: boolean;
  backedUp: boolean;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** Per account; the list is read and changed whole, so it stays small. */
export const MAX_PASSKEYS_PER_USER = 20;

// The user's list, and an index from each credential id to its owner, claimed with
// setIfAbsent: a credential belongs to one account, and a sign-in finds it in O(1).
const listKey = STORE_KEYS.passkeysOfUser;
// Hashed: credential ids are up to 1023 bytes, and store keys are kept short.
const ownerKey = STORE_KEYS.userOfPasskey;

export function createPasskeyStore(store: Store) {
  return {
    list: async (userId: string): Promise<readonly PasskeyRecord[]> => (await store.get<PasskeyRecord[]>(listKey(userId))) ?? [],

    /** The owner of a credential and its record, if it is registered. */
    async findByCredentialId(credentialId: string): Promise<{ userId: string; passkey: PasskeyRecord } | undefined> {
      const userId = await store.get<string>(ownerKey(credentialId));
      if (userId === undefined) return undefined;
      const passkey = (await store.get<PasskeyRecord[]>(listKey(userId)))?.find((p) => p.credentialId === credentialId);
      return passkey ? { userId, passkey } : undefined;
    },

    /** Adds a credential; "taken" when any account has it already, "full" at the per-user cap. */
    async add(userId: string, passkey: PasskeyRecord): Promise<"added" | "taken" | "full"> {
      if (!(await store.setIfAbsent(ownerKey(passkey.credentialId), userId))) return "taken";
      let full = false as boolean;
      await store.update<PasskeyRecord[]>(listKey(userId), (list = []) => {
        full = list.length >= MAX_PASSKEYS_PER_USER;
        return full ? list : [...list, passkey];
      });
      if (full) await store.delete(ownerKey(passkey.credentialId));
      return full ? "full" : "added";
    },

    /** Changes one of the user's passkeys; undefined when the user has no passkey with that id. */
    async change(userId: string, id: string, edit: (passkey: PasskeyRecord) => PasskeyRecord): Promise<PasskeyRecord | undefined> {
      // Written inside the update callback, which the compiler cannot follow: hence the widening casts.
      let changed = undefined as PasskeyRecord | undefined;
      await store.update<PasskeyRecord[]>(listKey(userId), (list) => {
        changed = undefined;
        const index = list?.findIndex((p) => p.id === id) ?? -1;
        if (!list || index < 0) return list;
        changed = edit(list[index]!);
        return list.with(index, changed);
      });
      return changed;
    },

    /**
     * Records an accepted use: the new counter must move forward, checked in the
     * same atomic step that stores it, so two assertions racing with one counter
     * value cannot both pass. "stale" when it did not (a cloned authenticator, or a replay).
     */
    async recordUse(userId: string, id: string, counter: number, now: number): Promise<"recorded" | "stale" | "gone"> {
      let outcome = "gone" as "recorded" | "stale" | "gone";
      await store.update<PasskeyRecord[]>(listKey(userId), (list) => {
        outcome = "gone";
        const index = list?.findIndex((p) => p.id === id) ?? -1;
        if (!list || index < 0) return list;
        const current = list[index]!;
        // Authenticators without a counter always send 0 (WebAuthn §6.1.1): nothing to compare then.
        if ((counter > 0 || current.counter > 0) && counter <= current.counter) {
          outcome = "stale";
          return list;
        }
        outcome = "recorded";
        return list.with(index, { ...current, counter, lastUsedAt: now });
      });
      return outcome;
    },

    /** Removes one of the user's passkeys and its index entry; the removed record, or undefined when there was none. */
    async remove(userId: string, id: string): Promise<PasskeyRecord | undefined> {
      let removed = undefined as PasskeyRecord | undefined;
      await store.update<PasskeyRecord[]>(listKey(userId), (list) => {
        removed = list?.find((p) => p.id === id);
        if (!list || !removed) return list;
        const kept = list.filter((p) => p !== removed);
        return kept.length ? kept : undefined;
      });
      if (removed) await store.delete(ownerKey(removed.credentialId));
      return removed;
    },
  };
}

export type PasskeyStore = ReturnType<typeof createPasskeyStore>;
