import type { Clock, Store } from "@gatehouse/store";
import { generateId, sha256Hex } from "../../crypto/random.js";
import type { ApiKeyScope } from "./scopes.js";

export interface ApiKeyRecord {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** Set when an admin locks the owner: the key stays refused until its owner replaces it. */
  suspendedAt: number | null;
  /** The owner's `apiKeyGeneration` when it was made; absent: 0. */
  generation?: number;
}

const recordKey = (id: string) => `apikey:${id}`;
// Keys are found by the SHA-256 of the secret; the secret itself is never stored.
const hashKey = (key: string) => `apikey-hash:${sha256Hex(key)}`;
const userIndexKey = (userId: string) => `user-apikeys:${userId}`;

export function createApiKeyStore(store: Store, clock: Clock) {
  const ttlOf = (record: ApiKeyRecord) => (record.expiresAt === null ? undefined : Math.max(record.expiresAt - clock(), 1));

  return {
    async create(key: string, fields: Pick<ApiKeyRecord, "userId" | "name" | "prefix" | "scopes" | "expiresAt" | "generation">): Promise<ApiKeyRecord> {
      const record: ApiKeyRecord = {
        id: generateId(),
        userId: fields.userId,
        name: fields.name,
        prefix: fields.prefix,
        scopes: fields.scopes,
        createdAt: clock(),
        expiresAt: fields.expiresAt,
        lastUsedAt: null,
        revokedAt: null,
        suspendedAt: null,
        generation: fields.generation ?? 0,
      };
      await store.set(recordKey(record.id), record, ttlOf(record));
      await store.set(hashKey(key), record.id, ttlOf(record));
      await store.update<string[]>(userIndexKey(record.userId), (ids = []) => [...ids, record.id]);
      return record;
    },

    async findBySecret(key: string): Promise<ApiKeyRecord | undefined> {
      const id = await store.get<string>(hashKey(key));
      return id === undefined ? undefined : store.get<ApiKeyRecord>(recordKey(id));
    },

    get: (id: string) => store.get<ApiKeyRecord>(recordKey(id)),

    async listForUser(userId: string): Promise<ApiKeyRecord[]> {
      const ids = (await store.get<string[]>(userIndexKey(userId))) ?? [];
      const records = await Promise.all(ids.map((id) => store.get<ApiKeyRecord>(recordKey(id))));
      return records.filter((r): r is ApiKeyRecord => r !== undefined && r.revokedAt === null);
    },

    update: (id: string, change: (record: ApiKeyRecord) => ApiKeyRecord) =>
      store.update<ApiKeyRecord>(recordKey(id), (current) => (current ? change(current) : undefined)),
  };
}

export type ApiKeyStore = ReturnType<typeof createApiKeyStore>;
