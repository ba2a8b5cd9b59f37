import { InvalidCollectionInputError, sortableTime, type Page, type Store } from "@gatehouse/store";
import { generateId } from "../../crypto/random.js";
import type { UserRecord } from "./user-record.js";
import { STORE_COLLECTIONS, STORE_KEYS } from "../../store-keys.js";

const userKey = STORE_KEYS.user;
// The email index is claimed with setIfAbsent: of any number of concurrent
// signups for one address, on any number of instances, exactly one wins.
const emailKey = STORE_KEYS.userIdOfEmail;
// Every user twice: by signup time (the admin's list, newest first) and by
// normalized email (find by address or its beginning). Native ordered indexes,
// so adding a user or reading a page costs the same at any number of users.
const BY_TIME = STORE_COLLECTIONS.usersByTime;
const BY_EMAIL = STORE_COLLECTIONS.usersByEmail;
// A cursor says which index it pages, so one from the other list is refused, not misread.
const TIME_CURSOR = "t";
const EMAIL_CURSOR = "e";

export interface UserListQuery {
  cursor?: string | undefined;
  limit: number;
  /** Normalized (trimmed, lower-cased): keeps the users whose email starts with it, in address order. */
  email?: string | undefined;
}

export function createUserStore(store: Store) {
  const byTime = store.index(BY_TIME);
  const byEmail = store.index(BY_EMAIL);

  /** Puts the user in both indexes; adding again is a no-op, so it is safe to repeat. */
  const index = async (user: UserRecord): Promise<void> => {
    await Promise.all([byTime.add(user.id, sortableTime(user.createdAt)), byEmail.add(user.id, user.email)]);
  };

  const unindex = async (id: string): Promise<void> => {
    await Promise.all([byTime.remove(id), byEmail.remove(id)]);
  };

  return {
    get: (id: string) => store.get<UserRecord>(userKey(id)),

    async findByEmail(email: string): Promise<UserRecord | undefined> {
      const id = await store.get<string>(emailKey(email));
      return id === undefined ? undefined : store.get<UserRecord>(userKey(id));
    },

    /**
     * Undefined when the email is taken. Claim, record, then indexes: a failure
     * part-way is undone, and a listed id without a record is skipped by readers.
     */
    async create(fields: Omit<UserRecord, "id" | "sessionGeneration" | "disabledAt">): Promise<UserRecord | undefined> {
      const user: UserRecord = { ...fields, id: generateId(), sessionGeneration: 0, disabledAt: null };
      if (!(await store.setIfAbsent(emailKey(user.email), user.id))) return undefined;
      try {
        await store.set(userKey(user.id), user);
        await index(user);
      } catch (error) {
        await Promise.allSettled([unindex(user.id), store.delete(userKey(user.id))]);
        await store.delete(emailKey(user.email)).catch(() => undefined);
        throw error;
      }
      return user;
    },

    index,

    /** One page of users: newest first, or with `email` in address order (an exact address first). */
    async list(query: UserListQuery): Promise<Page<UserRecord>> {
      const kind = query.email ? EMAIL_CURSOR : TIME_CURSOR;
      const cursor = query.cursor === undefined ? undefined : readCursor(kind, query.cursor);
      const page = query.email
        ? await byEmail.page({ order: "asc", prefix: query.email, limit: query.limit, ...(cursor ? { cursor } : {}) })
        : await byTime.page({ order: "desc", limit: query.limit, ...(cursor ? { cursor } : {}) });
      const records = await Promise.all(page.items.map(({ member }) => store.get<UserRecord>(userKey(member))));
      const gone = page.items.filter((_, i) => records[i] === undefined).map(({ member }) => member);
      // Ids whose record is gone (a signup undone part-way) leave the indexes as they are met.
      if (gone.length > 0) await Promise.all(gone.map(unindex));
      return { items: records.filter((u): u is UserRecord => u !== undefined), nextCursor: page.nextCursor === null ? null : kind + page.nextCursor };
    },

    /** How many users there are (exact, not a scan). */
    count: () => byTime.count(),

    /** Atomic read-modify-write of one user; undefined when there is no such user. */
    update: (id: string, change: (user: UserRecord) => UserRecord) =>
      store.update<UserRecord>(userKey(id), (current) => (current ? change(current) : undefined)),
  };
}

function readCursor(kind: string, cursor: string): string {
  if (!cursor.startsWith(kind) || cursor.length === kind.length) throw new InvalidCollectionInputError("invalid cursor");
  return cursor.slice(kind.length);
}

export type UserStore = ReturnType<typeof createUserStore>;
