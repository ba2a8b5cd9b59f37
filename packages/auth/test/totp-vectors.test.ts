import { generateHOTP } from "@oslojs/otp";
import { describe, expect, it } from "vitest";
import { matchTotpStep } from "../src/features/mfa/totp.js";

// RFC 6238 appendix B, SHA-1 key "12345678901234567890"; the RFC lists 8 digits,
// authenticator apps use the last 6.
const KEY = new TextEncoder().encode("12345678901234567890");
const VECTORS: Array<[number, string]> = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
];

describe("TOTP (RFC 6238)", () => {
  it.each(VECTORS)("at T=%i the code is %s", (seconds, expected) => {
    expect(generateHOTP(KEY, BigInt(Math.floor(seconds / 30)), 8)).toBe(expected);
    expect(matchTotpStep(KEY, expected.slice(-6), seconds * 1000)).toBe(Math.floor(seconds / 30));
  });

  it("accepts one step of drift either side and nothing further", () => {
    const now = 1234567890 * 1000;
    const step = Math.floor(now / 30_000);
    for (const drift of [-1, 0, 1]) expect(matchTotpStep(KEY, generateHOTP(KEY, BigInt(step + drift), 6), now)).toBe(step + drift);
    for (const drift of [-2, 2]) expect(matchTotpStep(KEY, generateHOTP(KEY, BigInt(step + drift), 6), now)).toBeUndefined();
    expect(matchTotpStep(KEY, "12345", now)).toBeUndefined();
  });
});
