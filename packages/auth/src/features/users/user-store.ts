import type { Store } from "@gatehouse/store";
import { generateId } from "../../crypto/random.js";
import type { UserRecord } from "./user-record.js";

const userKey = (id: string) => `user:${id}`;
// The email index is claimed with setIfAbsent: of any number of concurrent
// signups for one address, on any number of instances, exactly one wins.
const emailKey = (email: string) => `user-email:${email}`;
// Ids in signup order, for the admin list. One value, grown by compare-and-swap.
const INDEX_KEY = "users:index";

export function createUserStore(store: Store) {
  return {
    get: (id: string) => store.get<UserRecord>(userKey(id)),

    async findByEmail(email: string): Promise<UserRecord | undefined> {
      const id = await store.get<string>(emailKey(email));
      return id === undefined ? undefined : store.get<UserRecord>(userKey(id));
    },

    /** Undefined when the email is taken. */
    async create(fields: Omit<UserRecord, "id" | "sessionGeneration" | "disabledAt">): Promise<UserRecord | undefined> {
      const user: UserRecord = { ...fields, id: generateId(), sessionGeneration: 0, disabledAt: null };
      if (!(await store.setIfAbsent(emailKey(user.email), user.id))) return undefined;
      try {
        await store.set(userKey(user.id), user);
        await store.update<string[]>(INDEX_KEY, (ids = []) => [...ids, user.id]);
      } catch (error) {
        await store.delete(emailKey(user.email)).catch(() => undefined);
        throw error;
      }
      return user;
    },

    /** One page of users in signup order, and how many there are. */
    async page(offset: number, limit: number): Promise<{ items: UserRecord[]; total: number }> {
      const ids = (await store.get<string[]>(INDEX_KEY)) ?? [];
      const users = await Promise.all(ids.slice(offset, offset + limit).map((id) => store.get<UserRecord>(userKey(id))));
      return { items: users.filter((u): u is UserRecord => u !== undefined), total: ids.length };
    },

    /** Atomic read-modify-write of one user; undefined when there is no such user. */
    update: (id: string, change: (user: UserRecord) => UserRecord) =>
      store.update<UserRecord>(userKey(id), (current) => (current ? change(current) : undefined)),
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
