import type { IncomingMessage } from "node:http";
import type { Reply } from "./reply.js";

const ALLOWED_HEADERS = "Content-Type, Authorization, X-Auth-Mode, X-Request-Id, trpc-accept";
const EXPOSED_HEADERS = [
  "Retry-After",
  "X-Request-Id",
  "X-RateLimit-Limit",
  "X-RateLimit-Remaining",
  "X-RateLimit-Reset",
  "RateLimit",
  "RateLimit-Policy",
].join(", ");

/**
 * Exact-origin CORS: listed origins may read responses and send credentials;
 * any other origin gets no Access-Control-Allow-Origin at all.
 * Returns true when it answered the request (a preflight).
 */
export function applyCors(req: IncomingMessage, reply: Reply, allowedOrigins: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  const allowed = origin !== undefined && allowedOrigins.has(origin);
  reply.vary("Origin");
  if (allowed) {
    reply.set("Access-Control-Allow-Origin", origin);
    reply.set("Access-Control-Allow-Credentials", "true");
    reply.set("Access-Control-Expose-Headers", EXPOSED_HEADERS);
  }
  if (req.method !== "OPTIONS") return false;
  if (allowed) {
    reply.set("Access-Control-Allow-Methods", "GET, POST");
    reply.set("Access-Control-Allow-Headers", ALLOWED_HEADERS);
    reply.set("Access-Control-Max-Age", "86400");
  }
  reply.send(204);
  return true;
}
