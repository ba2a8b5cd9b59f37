type MaybePromise<T> = T | Promise<T>;

/**
 * The slots a token-mode client keeps between runs: the refresh token, and the
 * device credential the server issues on login (it exempts this device from
 * the lockout an attacker can cause by guessing the password).
 */
export type TokenSlot = "refreshToken" | "deviceToken";

/**
 * Where a token-mode client persists its long-lived credentials: the iOS
 * Keychain, the Android Keystore, expo-secure-store, a 0600 file for a CLI.
 * Sync or async, whichever the platform offers. The access token is never
 * handed to it: that one lives in memory only.
 */
export interface TokenStorage {
  get(slot: TokenSlot): MaybePromise<string | null | undefined>;
  set(slot: TokenSlot, value: string): MaybePromise<void>;
  delete(slot: TokenSlot): MaybePromise<void>;
}

/** The default: nothing survives the process, so every start needs a login. */
export function memoryStorage(): TokenStorage {
  const slots = new Map<TokenSlot, string>();
  return {
    get: (slot) => slots.get(slot) ?? null,
    set: (slot, value) => void slots.set(slot, value),
    delete: (slot) => void slots.delete(slot),
  };
}
