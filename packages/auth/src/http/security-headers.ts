import type { ServerResponse } from "node:http";

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** CONTRACT §2: on every response, whatever its path or status. */
export function setSecurityHeaders(res: ServerResponse, options: { production: boolean; contentSecurityPolicy?: string }): void {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
  res.setHeader("Content-Security-Policy", options.contentSecurityPolicy ?? API_CSP);
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  if (options.production) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
}
