import { createTOTPKeyURI, generateHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { randomBytes } from "node:crypto";
import { constantTimeEqual } from "../../crypto/random.js";

// RFC 6238 as authenticator apps implement it: SHA-1, 30 s steps, 6 digits.
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of now that still count, for clock drift between phone and server. */
const ALLOWED_DRIFT_STEPS = 1;

export function generateTotpSecret(): Uint8Array {
  return new Uint8Array(randomBytes(20));
}

export const encodeTotpSecret = (secret: Uint8Array): string => encodeBase32UpperCaseNoPadding(secret);
export const decodeTotpSecret = (text: string): Uint8Array => decodeBase32IgnorePadding(text);

export function totpUri(accountName: string, secret: Uint8Array): string {
  return createTOTPKeyURI("Gatehouse", accountName, secret, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

/**
 * The time step a code belongs to (now ±1), or undefined when it matches none.
 * The caller records the step, so a code cannot be used twice in its window.
 */
export function matchTotpStep(secret: Uint8Array, code: string, nowMs: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const current = Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
  let matched: number | undefined;
  // Every candidate is checked, so timing does not reveal which one matched.
  for (let step = current - ALLOWED_DRIFT_STEPS; step <= current + ALLOWED_DRIFT_STEPS; step += 1) {
    if (constantTimeEqual(generateHOTP(secret, BigInt(step), TOTP_DIGITS), code) && matched === undefined) matched = step;
  }
  return matched;
}
