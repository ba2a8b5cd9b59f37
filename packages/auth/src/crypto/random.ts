import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** An opaque secret with `bytes` of entropy, URL-safe. */
export function generateSecretToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export function generateId(): string {
  return randomBytes(16).toString("base64url");
}

/** Secrets are stored only as this digest, so a leaked store yields no usable token. */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
