import type { Clock } from "@gatehouse/store";
import { AuthError } from "../../errors.js";
import type { RequestMeta } from "../../request-meta.js";
import type { Events } from "../../events/events.js";
import type { UserRecord } from "../users/user-record.js";
import type { UserStore } from "../users/user-store.js";
import type { ApiKeyRecord, ApiKeyStore } from "./api-key-store.js";
import { displayPrefix, generateApiKey, isWellFormedApiKey } from "./key-format.js";
import { isAdminOnlyScope, type ApiKeyScope } from "../../api-key-scopes.js";

// lastUsedAt is written at most this often per key and instance, so a busy
// key does not turn every request into a store write.
const LAST_USED_RESOLUTION_MS = 60_000;
const DAY_MS = 24 * 3600 * 1000;

/** A key made before its owner's API keys were last ended (a password reset) is dead. */
export const isCurrentKey = (record: ApiKeyRecord, user: UserRecord): boolean => (record.generation ?? 0) === (user.apiKeyGeneration ?? 0);

export interface ApiKeyServiceDeps {
  clock: Clock;
  events: Events;
  apiKeys: ApiKeyStore;
  users: UserStore;
}

export function createApiKeyService(deps: ApiKeyServiceDeps) {
  const { clock, events, apiKeys, users } = deps;
  const lastWrite = new Map<string, number>();

  const noteUse = async (record: ApiKeyRecord): Promise<void> => {
    const now = clock();
    if (now - (lastWrite.get(record.id) ?? record.lastUsedAt ?? 0) < LAST_USED_RESOLUTION_MS) return;
    if (lastWrite.size > 10_000) lastWrite.clear();
    lastWrite.set(record.id, now);
    await apiKeys.update(record.id, (r) => ({ ...r, lastUsedAt: now }));
  };

  return {
    async create(user: UserRecord, input: { name: string; scopes: ApiKeyScope[]; expiresInDays?: number | undefined }, request: RequestMeta) {
      const adminOnly = input.scopes.filter(isAdminOnlyScope);
      if (adminOnly.length > 0 && user.role !== "admin") {
        events.emit("permission_denied", { userId: user.id, procedure: "apiKeys.create", required: `admin for ${adminOnly.join(" ")}`, request });
        throw new AuthError("forbidden", { message: `Only an admin may create a key with the ${adminOnly.join(", ")} scope.` });
      }
      const key = generateApiKey();
      const record = await apiKeys.create(key, {
        userId: user.id,
        name: input.name,
        prefix: displayPrefix(key),
        scopes: [...new Set(input.scopes)],
        expiresAt: input.expiresInDays === undefined ? null : clock() + input.expiresInDays * DAY_MS,
        generation: user.apiKeyGeneration ?? 0,
      });
      events.emit("api_key_created", { userId: user.id, keyId: record.id, scopes: record.scopes, request });
      return { record, key };
    },

    list: async (user: UserRecord) => (await apiKeys.listForUser(user.id)).filter((record) => isCurrentKey(record, user)),

    async revoke(user: UserRecord, id: string, request: RequestMeta): Promise<void> {
      const record = await apiKeys.get(id);
      // Someone else's key is indistinguishable from no key.
      if (!record || record.userId !== user.id || record.revokedAt !== null || !isCurrentKey(record, user)) throw new AuthError("not_found");
      await apiKeys.update(id, (r) => ({ ...r, revokedAt: clock() }));
      events.emit("api_key_revoked", { userId: user.id, keyId: id, request });
    },

    /** The id of the key behind a presented secret, if it is a real one (for rate-limit buckets). */
    async identify(key: string): Promise<string | undefined> {
      if (!isWellFormedApiKey(key)) return undefined;
      return (await apiKeys.findBySecret(key))?.id;
    },

    /** The owner and key behind a presented secret, or `token_invalid`. */
    async authenticate(key: string): Promise<{ user: UserRecord; apiKey: ApiKeyRecord }> {
      if (!isWellFormedApiKey(key)) throw new AuthError("token_invalid", { message: "The API key is not valid." });
      const record = await apiKeys.findBySecret(key);
      const now = clock();
      if (!record || record.revokedAt !== null || (record.expiresAt !== null && record.expiresAt <= now)) {
        throw new AuthError("token_invalid", { message: "The API key is not valid, expired or was revoked." });
      }
      if (record.suspendedAt !== null) throw new AuthError("forbidden", { message: "This API key was suspended for review; revoke it and create a new one." });
      const user = await users.get(record.userId);
      if (user && !isCurrentKey(record, user)) throw new AuthError("token_invalid", { message: "The API key is not valid, expired or was revoked." });
      if (!user || user.disabledAt !== null) throw new AuthError("account_disabled");
      await noteUse(record);
      return { user, apiKey: record };
    },

    /** Incident response: every key of the user stops working and stays marked for review. */
    async suspendAll(userId: string): Promise<number> {
      const records = await apiKeys.listForUser(userId);
      const now = clock();
      await Promise.all(records.map((r) => apiKeys.update(r.id, (current) => ({ ...current, suspendedAt: current.suspendedAt ?? now }))));
      return records.length;
    },
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
