/** Ties a browser flow to the browser that started it (login CSRF, RFC 9700 §4.7); only its hash is held with the flow. */
export const FLOW_COOKIE = "oauth_flow";

// SameSite=Lax, not Strict: the provider's redirect back to the callback is a
// cross-site navigation, which carries Lax cookies and not Strict ones. The
// path keeps it away from every other request.
export const flowCookie = (value: string, maxAgeSeconds: number): string =>
  `${FLOW_COOKIE}=${value}; Path=/oauth/; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Lax`;

export const clearedFlowCookie = (): string => `${FLOW_COOKIE}=; Path=/oauth/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`;

/**
 * A provider sign-in that needs the second factor hands the app its mfaToken
 * in this short-lived cookie rather than in the URL, where history, logs and
 * Referer headers would keep it. It is readable by the app's scripts on
 * purpose, like the mfaToken a password sign-in returns in its body: the app
 * reads it and sends it with the code to `auth.verifyMfa`.
 * On its own it is worth nothing (single use, 5 minutes, a TOTP code needed).
 */
export const MFA_COOKIE = "gh_mfa";

export const mfaCookie = (mfaToken: string, maxAgeSeconds: number): string =>
  `${MFA_COOKIE}=${mfaToken}; Path=/; Max-Age=${maxAgeSeconds}; Secure; SameSite=Strict`;
