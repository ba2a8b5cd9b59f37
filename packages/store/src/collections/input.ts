import { InvalidCollectionInputError, type Order } from "./types.js";

export const MAX_PAGE_LIMIT = 1000;
/** Entries one `trim` removes at most. */
export const MAX_TRIM = 1000;
const MAX_TEXT_LENGTH = 1024;
// In a /u pattern a surrogate pair is one code point, so only a lone surrogate matches.
const LONE_SURROGATE = /\p{Cs}/u;

// Input is checked before the backend is reached, so a wrong cursor or key is
// the caller's error, never reported as an outage. Keys and members travel as
// text in SQL and as bytes in Redis: well-formed Unicode only, and no NUL
// (Redis joins key and member with one).
export function checkText(what: string, text: unknown, allowEmpty = false): string {
  if (typeof text !== "string" || (!allowEmpty && text.length === 0) || text.length > MAX_TEXT_LENGTH || text.includes("\0") || LONE_SURROGATE.test(text)) {
    throw new InvalidCollectionInputError(`invalid ${what}: well-formed text of at most ${MAX_TEXT_LENGTH} characters, without NUL`);
  }
  return text;
}

/**
 * The backend's name for a collection: the store's prefix and the caller's
 * name. No braces, so the name can be a Redis Cluster hash tag as it is.
 */
export function collectionName(prefix: string, name: string): string {
  checkText("collection name", name);
  const full = prefix + name;
  if (/[{}]/.test(full)) throw new InvalidCollectionInputError("invalid collection name: no braces in it or in the store's prefix");
  return full;
}

export function checkCount(what: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new InvalidCollectionInputError(`invalid ${what}: a whole number from 1 to ${max}`);
  }
  return value;
}

export const optionalCount = (what: string, value: number | undefined): number | undefined => (value === undefined ? undefined : checkCount(what, value));

export function checkOrder(order: unknown): Order {
  if (order !== "asc" && order !== "desc") throw new InvalidCollectionInputError('invalid order: "asc" or "desc"');
  return order;
}
