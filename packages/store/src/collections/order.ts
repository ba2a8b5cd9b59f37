import type { IndexBound, IndexRange } from "../backend.js";
import type { IndexEntry, Order } from "./types.js";

/**
 * Compares by Unicode code point: the byte order of UTF-8, which is how Redis
 * (memcmp on sorted-set members) and SQLite (BINARY collation) order text. JS's
 * own `<` compares UTF-16 code units, which puts U+E000–U+FFFF after the
 * surrogate pairs of U+10000 and beyond; the fix-up below moves surrogates up.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

function compareEntries(a: IndexEntry, b: IndexEntry): number {
  return compareCodePoints(a.key, b.key) || compareCodePoints(a.member, b.member);
}

/**
 * The smallest text greater than every text that starts with `prefix`, or
 * undefined when there is none (empty prefix, or only U+10FFFF): the open end
 * of a prefix range on an index sorted by code point.
 */
export function prefixSuccessor(prefix: string): string | undefined {
  const codePoints = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (codePoints.at(-1) === 0x10ffff) codePoints.pop();
  const last = codePoints.pop();
  if (last === undefined) return undefined;
  // The next code point, skipping the surrogate range that no well-formed text holds.
  return String.fromCodePoint(...codePoints, last === 0xd7ff ? 0xe000 : last + 1);
}

/** The range a page walks: the prefix's range, cut at the cursor on the side the order walks away from. */
export function indexBounds(order: Order, after: IndexEntry | undefined, prefix: string | undefined, limit: number): IndexRange {
  let low: IndexBound | undefined = prefix ? { key: prefix, member: "", inclusive: true } : undefined;
  const successor = prefix ? prefixSuccessor(prefix) : undefined;
  let high: IndexBound | undefined = successor === undefined ? undefined : { key: successor, member: "", inclusive: false };
  if (after) {
    const cut = { ...after, inclusive: false };
    if (order === "asc" && (!low || compareEntries(after, low) >= 0)) low = cut;
    if (order === "desc" && (!high || compareEntries(after, high) < 0)) high = cut;
  }
  return { low, high, order, limit };
}

/** A key that sorts like the time it holds (ms since the epoch): "desc" then pages newest first. */
export const sortableTime = (ms: number): string => String(ms).padStart(16, "0");
