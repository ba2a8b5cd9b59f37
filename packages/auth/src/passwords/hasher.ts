import { createHmac } from "node:crypto";
import { hash, verify } from "@node-rs/bcrypt";
import type { RunHashing } from "./hashing-queue.js";

// bcrypt reads only the first 72 bytes. Hashing a fixed-length digest of the
// whole password instead means passwords that differ after byte 72 differ in
// what bcrypt sees. Base64 keeps NUL bytes out (bcrypt stops at one).
const PREHASH_KEY = "gatehouse/password/v1";
const prehash = (password: string): string => createHmac("sha256", PREHASH_KEY).update(password, "utf8").digest("base64");

/**
 * The stored hash of an account that has no password (made by a sign-in
 * provider): no password verifies against it, at the cost of a real check.
 * A password reset gives such an account one.
 */
export const NO_PASSWORD_HASH = "";

export const hasPassword = (user: { passwordHash: string }): boolean => user.passwordHash !== NO_PASSWORD_HASH;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, storedHash: string): Promise<boolean>;
  /** Costs what a real verification costs, so an unknown email is not faster than a wrong password. */
  verifyDummy(password: string): Promise<false>;
  /** True while new hashing work is shed with 503 `overloaded`. */
  saturated(): boolean;
}

export async function createPasswordHasher(cost: number, runHashing: RunHashing): Promise<PasswordHasher> {
  const dummyHash = await hash(prehash("gatehouse dummy password"), cost);
  return {
    hash: (password) => runHashing(() => hash(prehash(password), cost)),
    verify: (password, storedHash) => runHashing(async () => (await verify(prehash(password), storedHash || dummyHash)) && storedHash !== NO_PASSWORD_HASH),
    verifyDummy: async (password) => {
      await runHashing(() => verify(prehash(password), dummyHash));
      return false;
    },
    saturated: () => runHashing.isFull(),
  };
}
