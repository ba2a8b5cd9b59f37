import type { Clock, Store } from "@gatehouse/store";
import { generateId, generateSecretToken } from "../../crypto/random.js";
import type { UserRecord } from "../users/user-record.js";
import type { UserStore } from "../users/user-store.js";
import { STORE_KEYS } from "../../store-keys.js";

/**
 * A device credential: issued on every successful login, bound to the account,
 * stored only as a hash. Presenting it marks a browser or app that has signed
 * in to this account before (OWASP "device cookies"), which keeps the owner
 * out of a lockout an attacker causes.
 */
export interface DeviceRecord {
  id: string;
  userId: string;
  email: string;
  createdAt: number;
  /**
   * The user's session generation when it was issued. Everything that ends all
   * sessions (password reset or change, logout everywhere, an admin lock) bumps
   * it, which ends every device credential issued before, in one write.
   */
  generation: number;
}

export const DEVICE_TTL_SECONDS = 365 * 24 * 3600;
/** Issued credentials are 43 characters; anything past this is refused unread. */
export const DEVICE_TOKEN_MAX_LENGTH = 128;
const deviceKey = STORE_KEYS.device;

export function createDeviceStore(store: Store, clock: Clock, users: UserStore) {
  return {
    async issue(user: UserRecord): Promise<{ token: string; id: string }> {
      const token = generateSecretToken(32);
      const id = generateId();
      await store.set<DeviceRecord>(
        deviceKey(token),
        { id, userId: user.id, email: user.email, createdAt: clock(), generation: user.sessionGeneration },
        DEVICE_TTL_SECONDS * 1000,
      );
      return { token, id };
    },

    /** The device behind `token` if it was issued for this email's account and nothing has ended it since. */
    async find(token: string | undefined, email: string): Promise<DeviceRecord | undefined> {
      if (!token || token.length > DEVICE_TOKEN_MAX_LENGTH) return undefined;
      const device = await store.get<DeviceRecord>(deviceKey(token));
      if (device?.email !== email) return undefined;
      const user = await users.get(device.userId);
      return user && user.email === email && user.disabledAt === null && user.sessionGeneration === device.generation ? device : undefined;
    },
  };
}

export type DeviceStore = ReturnType<typeof createDeviceStore>;
