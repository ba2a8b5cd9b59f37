import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { DEVICE_COOKIE, parseCookies, REFRESH_COOKIE } from "../cookies.js";

/**
 * A request that carries one of our cookies is acting with the browser's
 * ambient authority, so it must come from our own origin or a listed one and
 * be JSON (a cross-site form cannot send application/json without a
 * preflight). Requests without our cookies (token mode) are not at risk.
 * SameSite=Strict remains the first line; this is the second.
 *
 * `allowedOrigins`: the listed origins and the app's own public URL. Our own
 * origin is the scheme and host this request reached us on (RFC 6454: the
 * scheme is part of an origin; `https://host` is not `http://host`), the scheme
 * told by the trusted proxy when there is one.
 */
export function crossSiteCookieRequest(req: IncomingMessage, allowedOrigins: ReadonlySet<string>, trustProxy: number): string | undefined {
  const cookies = parseCookies(req.headers.cookie);
  if (!cookies[REFRESH_COOKIE] && !cookies[DEVICE_COOKIE]) return undefined;
  if (req.method === "POST") {
    const contentType = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (contentType !== "application/json") return "cookie-carrying requests must be application/json";
  }
  const origin = req.headers.origin ?? originOf(req.headers.referer);
  // Non-browser clients send neither header; browsers always send Origin on POST.
  if (origin === undefined) return undefined;
  if (allowedOrigins.has(origin) || origin === `${schemeOf(req, trustProxy)}://${req.headers.host}`) return undefined;
  return "cross-origin request with credentials";
}

function schemeOf(req: IncomingMessage, trustProxy: number): string {
  if ((req.socket as Partial<TLSSocket>).encrypted) return "https";
  const forwarded =
    trustProxy > 0
      ? String(req.headers["x-forwarded-proto"] ?? "")
          .split(",")[0]!
          .trim()
          .toLowerCase()
      : "";
  return forwarded === "https" ? "https" : "http";
}

function originOf(referer: string | undefined): string | undefined {
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return "null";
  }
}
