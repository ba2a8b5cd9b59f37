/**
 * The app path a browser sign-in returns to: a path on APP_URL's origin, never
 * another site (an open redirect would hand the person, freshly signed in, to
 * whoever crafted the link). Undefined when `returnTo` is not such a path.
 */
export function appPathOf(returnTo: string | null, appUrl: string): string | undefined {
  if (returnTo === null || returnTo === "") return "/";
  // "//host" and "/\host" are other sites to a browser; a path starts with exactly one slash.
  if (!returnTo.startsWith("/") || returnTo.startsWith("//") || returnTo.includes("\\") || returnTo.length > 2048) return undefined;
  const origin = new URL(appUrl).origin;
  const url = new URL(returnTo, origin);
  return url.origin === origin ? `${url.pathname}${url.search}` : undefined;
}

/** The absolute URL of an app path on APP_URL's origin, with `params` added to its query. */
export function appLocation(appUrl: string, path: string, params: Record<string, string> = {}): string {
  const url = new URL(path, new URL(appUrl).origin);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}
