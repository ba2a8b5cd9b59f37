import { randomInt } from "node:crypto";
import { createHmac } from "node:crypto";

const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i: read aloud and typed by hand
export const RECOVERY_CODE_COUNT = 10;

/** xxxxx-xxxxx, ≈ 49 bits each: plenty for single-use codes behind a rate limit. */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]);
    return `${chars.slice(0, 5).join("")}-${chars.slice(5).join("")}`;
  });
}

/**
 * Stored only as keyed digests (HMAC under a server key), so a leaked store
 * cannot be brute-forced offline. Input is normalised the way people type it:
 * case, spaces and the hyphen do not matter.
 */
export const hashRecoveryCode = (code: string, key: Uint8Array): string =>
  createHmac("sha256", key)
    .update(
      code
        .trim()
        .toLowerCase()
        .replace(/[\s-]+/g, ""),
    )
    .digest("hex");

export const looksLikeRecoveryCode = (code: string): boolean => /^[a-z2-9]{5}-?[a-z2-9]{5}$/i.test(code.trim());
