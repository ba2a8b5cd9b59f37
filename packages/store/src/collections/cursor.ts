import { checkText } from "./input.js";
import { InvalidCollectionInputError, type IndexEntry } from "./types.js";

/**
 * Cursors name a position in a collection, not an offset: entries added or
 * removed elsewhere do not shift a page, and a cursor stays valid for as long
 * as the collection exists. They are opaque to callers (base64url of JSON)
 * and checked on the way back in.
 */
const encode = (parts: unknown[]): string => Buffer.from(JSON.stringify(parts)).toString("base64url");

const decode = (cursor: string): unknown => {
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
};

const invalid = () => new InvalidCollectionInputError("invalid cursor");

export const indexCursor = (entry: IndexEntry): string => encode(["i", entry.key, entry.member]);

export function readIndexCursor(cursor: string): IndexEntry {
  const parts = decode(cursor);
  if (!Array.isArray(parts) || parts.length !== 3 || parts[0] !== "i") throw invalid();
  const [, key, member] = parts as unknown[];
  try {
    return { key: checkText("cursor", key, true), member: checkText("cursor", member) };
  } catch {
    throw invalid();
  }
}

export const logCursor = (position: number): string => encode(["l", position]);

export function readLogCursor(cursor: string): number {
  const parts = decode(cursor);
  if (!Array.isArray(parts) || parts.length !== 2 || parts[0] !== "l") throw invalid();
  const position = parts[1] as unknown;
  if (typeof position !== "number" || !Number.isSafeInteger(position) || position < 0) throw invalid();
  return position;
}
