import type { ServerResponse } from "node:http";

/** Adds to the answer's Vary (CORS may already vary it by Origin) instead of replacing it. */
export function addVary(res: ServerResponse, value: string): void {
  const earlier = res.getHeader("vary");
  res.setHeader("Vary", earlier ? `${String(earlier)}, ${value}` : value);
}
