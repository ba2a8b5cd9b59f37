import type { IncomingMessage, ServerResponse } from "node:http";
import { endWithTurn } from "./end-with-turn.js";

const ALLOWED_HEADERS = "Content-Type, Authorization, X-Auth-Mode, X-Request-Id, trpc-accept";
const EXPOSED_HEADERS = [
  "Retry-After", "X-Request-Id", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit", "RateLimit-Policy",
].join(", ");

/**
 * Exact-origin CORS: listed origins may read responses and send credentials;
 * any other origin gets no Access-Control-Allow-Origin at all.
 * Returns true when it answered the request (a preflight).
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allowedOrigins: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  const allowed = origin !== undefined && allowedOrigins.has(origin);
  res.setHeader("Vary", "Origin");
  if (allowed) {
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Access-Control-Allow-Credentials", "true");
    res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
  }
  if (req.method !== "OPTIONS") return false;
  if (allowed) {
    res.setHeader("Access-Control-Allow-Methods", "GET, POST");
    res.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
    res.setHeader("Access-Control-Max-Age", "86400");
  }
  res.statusCode = 204;
  endWithTurn(res);
  return true;
}
