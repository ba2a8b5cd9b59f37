import { randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { API_KEY_PREFIX as PREFIX } from "../../tokens/api-key-prefix.js";

// gth_ + 43 base62 characters (256 bits) + 6 base62 characters of CRC-32 over
// the random part. The fixed prefix and checksum let secret scanners recognise
// a real key offline and reject typos without a lookup (GitHub's token format).
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BODY_LENGTH = 43;
const CHECKSUM_LENGTH = 6;
export const API_KEY_PATTERN = new RegExp(`^${PREFIX}[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);

function toBase62(bytes: Uint8Array, length: number): string {
  let value = BigInt(`0x${Buffer.from(bytes).toString("hex") || "0"}`);
  let text = "";
  for (let i = 0; i < length; i += 1) {
    text = ALPHABET[Number(value % 62n)]! + text;
    value /= 62n;
  }
  return text;
}

const checksumOf = (body: string): string => {
  const crc = crc32(body);
  return toBase62(new Uint8Array([crc >>> 24, (crc >>> 16) & 255, (crc >>> 8) & 255, crc & 255]), CHECKSUM_LENGTH);
};

export function generateApiKey(): string {
  const body = toBase62(randomBytes(32), BODY_LENGTH);
  return `${PREFIX}${body}${checksumOf(body)}`;
}

/** Format and checksum only; whether the key exists is the store's question. */
export function isWellFormedApiKey(key: string): boolean {
  if (!API_KEY_PATTERN.test(key)) return false;
  const body = key.slice(PREFIX.length, PREFIX.length + BODY_LENGTH);
  return key.slice(PREFIX.length + BODY_LENGTH) === checksumOf(body);
}

/** What the owner sees in lists: enough to tell keys apart, useless to an attacker. */
export const displayPrefix = (key: string): string => key.slice(0, PREFIX.length + 6);
