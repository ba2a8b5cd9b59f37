import { AuthError } from "../../errors.js";

/**
 * Whether an app may have the code sent to `requested`: it must be one of the
 * provider's configured `redirectUris`, compared exactly (RFC 9700 §4.1.3),
 * except that a loopback http URI may name any port, as a native app's
 * temporary local listener does (RFC 8252 §7.3).
 */
export function isRegisteredRedirect(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  let url: URL;
  try {
    url = new URL(requested);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" || !["127.0.0.1", "[::1]"].includes(url.hostname)) return false;
  return registered.some((entry) => {
    const allowed = new URL(entry);
    return allowed.protocol === "http:" && allowed.hostname === url.hostname && `${allowed.pathname}${allowed.search}` === `${url.pathname}${url.search}`;
  });
}

export function assertRegisteredRedirect(registered: readonly string[], requested: string, provider: string): void {
  if (isRegisteredRedirect(registered, requested)) return;
  throw new AuthError("validation_failed", {
    issues: [
      { path: "redirectUri", message: `Not one of the redirect URIs configured for "${provider}" (its redirectUris, each also registered at the provider).` },
    ],
  });
}
