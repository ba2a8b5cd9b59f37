import type { Clock, Store } from "@gatehouse/store";
import { generateId, generateSecretToken, sha256Hex } from "../../crypto/random.js";

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
}

export const DEVICE_TTL_SECONDS = 365 * 24 * 3600;
const deviceKey = (token: string) => `device:${sha256Hex(token)}`;

export function createDeviceStore(store: Store, clock: Clock) {
  return {
    async issue(userId: string, email: string): Promise<string> {
      const token = generateSecretToken(32);
      await store.set<DeviceRecord>(deviceKey(token), { id: generateId(), userId, email, createdAt: clock() }, DEVICE_TTL_SECONDS * 1000);
      return token;
    },

    /** The device behind `token` if it was issued for this email's account. */
    async find(token: string | undefined, email: string): Promise<DeviceRecord | undefined> {
      if (!token || token.length > 128) return undefined;
      const device = await store.get<DeviceRecord>(deviceKey(token));
      return device?.email === email ? device : undefined;
    },
  };
}

export type DeviceStore = ReturnType<typeof createDeviceStore>;
