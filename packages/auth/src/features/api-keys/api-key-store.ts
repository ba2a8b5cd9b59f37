import { sortableTime, type Clock, type Store } from "@gatehouse/store";
import { generateId } from "../../crypto/random.js";
import type { ApiKeyScope } from "../../api-key-scopes.js";
import { STORE_COLLECTIONS, STORE_KEYS } from "../../store-keys.js";

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

const recordKey = STORE_KEYS.apiKey;
// Keys are found by the SHA-256 of the secret; the secret itself is never stored.
const hashKey = STORE_KEYS.apiKeyIdOfKey;
// A user's keys in creation order, each leaving at its expiry or when revoked.
const userIndexName = STORE_COLLECTIONS.apiKeysOfUser;
// Listing walks a user's keys a page of this many at a time.
const LIST_PAGE = 1000;

export function createApiKeyStore(store: Store, clock: Clock) {
  const ttlOf = (record: ApiKeyRecord) => (record.expiresAt === null ? undefined : Math.max(record.expiresAt - clock(), 1));

  /** Lists the key under its user until it expires; safe to repeat. */
  const index = async (record: ApiKeyRecord): Promise<void> => {
    const ttlMs = ttlOf(record);
    await store.index(userIndexName(record.userId)).add(record.id, sortableTime(record.createdAt), ttlMs === undefined ? {} : { ttlMs });
  };

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
      await index(record);
      return record;
    },

    index,

    async findBySecret(key: string): Promise<ApiKeyRecord | undefined> {
      const id = await store.get<string>(hashKey(key));
      return id === undefined ? undefined : store.get<ApiKeyRecord>(recordKey(id));
    },

    get: (id: string) => store.get<ApiKeyRecord>(recordKey(id)),

    /** The user's live keys (not revoked), oldest first. */
    async listForUser(userId: string): Promise<ApiKeyRecord[]> {
      const list = store.index(userIndexName(userId));
      const live: ApiKeyRecord[] = [];
      let cursor: string | null = null;
      do {
        const page = await list.page({ order: "asc", limit: LIST_PAGE, ...(cursor ? { cursor } : {}) });
        const records = await Promise.all(page.items.map(({ member }) => store.get<ApiKeyRecord>(recordKey(member))));
        // A listed id whose record is gone or revoked leaves the list as it is met.
        const ended = page.items.filter((_, i) => records[i]?.revokedAt !== null).map(({ member }) => member);
        await Promise.all(ended.map((id) => list.remove(id)));
        live.push(...records.filter((r): r is ApiKeyRecord => r !== undefined && r.revokedAt === null));
        cursor = page.nextCursor;
      } while (cursor);
      return live;
    },

    /** Atomic read-modify-write of one key; a key revoked by it leaves its user's list. */
    async update(id: string, change: (record: ApiKeyRecord) => ApiKeyRecord): Promise<ApiKeyRecord | undefined> {
      const updated = await store.update<ApiKeyRecord>(recordKey(id), (current) => (current ? change(current) : undefined));
      if (updated && updated.revokedAt !== null) await store.index(userIndexName(updated.userId)).remove(id);
      return updated;
    },
  };
}

export type ApiKeyStore = ReturnType<typeof createApiKeyStore>;
