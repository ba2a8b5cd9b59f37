import type { IncomingMessage } from "node:http";
import { DEVICE_COOKIE, parseCookies, REFRESH_COOKIE } from "./cookies.js";

/**
 * A request that carries one of our cookies is acting with the browser's
 * ambient authority, so it must come from our own origin or a listed one and
 * be JSON (a cross-site form cannot send application/json without a
 * preflight). Requests without our cookies (token mode) are not at risk.
 * SameSite=Strict remains the first line; this is the second.
 */
export function crossSiteCookieRequest(req: IncomingMessage, allowedOrigins: ReadonlySet<string>): string | undefined {
  const cookies = parseCookies(req.headers.cookie);
  if (!cookies[REFRESH_COOKIE] && !cookies[DEVICE_COOKIE]) return undefined;
  if (req.method === "POST") {
    const contentType = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (contentType !== "application/json") return "cookie-carrying requests must be application/json";
  }
  const origin = req.headers.origin ?? originOf(req.headers.referer);
  // Non-browser clients send neither header; browsers always send Origin on POST.
  if (origin === undefined) return undefined;
  if (allowedOrigins.has(origin) || hostOf(origin) === req.headers.host) return undefined;
  return "cross-origin request with credentials";
}

function originOf(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return "null";
  }
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
