export const REFRESH_COOKIE = "refresh_token";
/** The narrowest path that serves refresh: the cookie goes nowhere else. */
export const REFRESH_COOKIE_PATH = "/trpc/auth.refresh";

export const DEVICE_COOKIE = "device_token";
/** The device credential is only of use to login… */
export const DEVICE_COOKIE_PATH = "/trpc/auth.login";
/**
 * …and to the other ways to sign in. A cookie path matches whole path segments
 * (RFC 6265 §5.1.4), so none covers these without covering every call: each
 * gets its own copy of the cookie.
 */
export const DEVICE_COOKIE_PATHS: readonly string[] = [DEVICE_COOKIE_PATH, "/trpc/auth.loginWithEmailCode", "/trpc/auth.loginWithPasskey"];

export function deviceCookie(token: string, maxAgeSeconds: number, path: string): string {
  return `${DEVICE_COOKIE}=${token}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`;
}

/**
 * Set and cleared together with the refresh cookie, with no secret in it and
 * readable by scripts on purpose: a page of this site learns from it that a
 * session may exist, so a signed-out page load need not send a refresh that is
 * bound to fail (and that the browser would log as a failed request).
 */
export const SESSION_HINT_COOKIE = "gh_session";

export function sessionHintCookie(maxAgeSeconds: number): string {
  return `${SESSION_HINT_COOKIE}=1; Path=/; Max-Age=${maxAgeSeconds}; Secure; SameSite=Strict`;
}

export function clearedSessionHintCookie(): string {
  return `${SESSION_HINT_COOKIE}=; Path=/; Max-Age=0; Secure; SameSite=Strict`;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null);
  if (!header) return cookies;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    if (!(name in cookies)) cookies[name] = part.slice(eq + 1).trim();
  }
  return cookies;
}

export function refreshCookie(token: string, maxAgeSeconds: number): string {
  return `${REFRESH_COOKIE}=${token}; Path=${REFRESH_COOKIE_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`;
}

export function clearedRefreshCookie(): string {
  return `${REFRESH_COOKIE}=; Path=${REFRESH_COOKIE_PATH}; Max-Age=0; HttpOnly; Secure; SameSite=Strict`;
}
