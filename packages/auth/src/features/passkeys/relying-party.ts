/**
 * The WebAuthn relying party is the app at `APP_URL`: its origin is what the
 * browser reports in client data, its host name the RP ID credentials are
 * scoped to (WebAuthn §5.1.3: an RP ID is a domain, so an IP address fails in
 * the browser; use a name such as `localhost`).
 */
export interface RelyingParty {
  id: string;
  origin: string;
  /** Shown by the browser and authenticator when a passkey is made; the host name people know. */
  name: string;
}

export function relyingPartyOf(appUrl: string): RelyingParty {
  const url = new URL(appUrl);
  return { id: url.hostname, origin: url.origin, name: url.hostname };
}
