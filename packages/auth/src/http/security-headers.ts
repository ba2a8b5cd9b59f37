import type { ServerResponse } from "node:http";

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export interface SecurityHeaderOptions {
  production: boolean;
  contentSecurityPolicy?: string;
}

/** CONTRACT §2, for every response whatever its path or status: a flat name/value list (see reply.ts). */
export function securityHeaderFields(options: SecurityHeaderOptions): readonly string[] {
  return [
    "X-Content-Type-Options",
    "nosniff",
    "X-Frame-Options",
    "DENY",
    "Referrer-Policy",
    "strict-origin-when-cross-origin",
    "Content-Security-Policy",
    options.contentSecurityPolicy ?? API_CSP,
    "Cross-Origin-Opener-Policy",
    "same-origin",
    ...(options.production ? ["Strict-Transport-Security", "max-age=31536000; includeSubDomains"] : []),
  ];
}

/** The same fields on a response built with setHeader (the static site). */
export function setSecurityHeaders(res: ServerResponse, options: SecurityHeaderOptions): void {
  const fields = securityHeaderFields(options);
  for (let i = 0; i < fields.length; i += 2) res.setHeader(fields[i]!, fields[i + 1]!);
}
