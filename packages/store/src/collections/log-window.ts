import type { LogRange } from "../backend.js";

/**
 * The positions a log page covers, from the log's bounds alone: positions are
 * gap-free from `first` to `length`, so a page is a plain range and costs the
 * same at any depth. `next` is where the following page starts (exclusive),
 * or null when the page reaches the end. Positions run in the page's order.
 */
export function logWindow(first: number, length: number, range: LogRange): { positions: number[]; next: number | null } {
  const { order, after, limit } = range;
  const positions: number[] = [];
  if (order === "desc") {
    const high = Math.min(after === undefined ? length : after - 1, length);
    const low = Math.max(first, high - limit + 1);
    for (let p = high; p >= low; p -= 1) positions.push(p);
    return { positions, next: positions.length > 0 && low > first ? low : null };
  }
  const low = Math.max(after === undefined ? first : after + 1, first);
  const high = Math.min(length, low + limit - 1);
  for (let p = low; p <= high; p += 1) positions.push(p);
  return { positions, next: positions.length > 0 && high < length ? high : null };
}
