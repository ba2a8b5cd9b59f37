import { looksLikeBrowserPage } from "./tab-sync.js";

/**
 * Says whether a session may exist before asking the server. False means
 * "certainly none": the client skips the refresh (which would fail with a 401
 * that browsers log in the console) and reports no session at once.
 */
export type SessionHint = () => boolean;

/**
 * The script-readable cookie Gatehouse sets and clears together with the
 * HttpOnly refresh cookie. It holds only "1": nothing in it is a credential.
 */
export const SESSION_HINT_COOKIE = "gh_session";

/**
 * The hint a browser page can read: the cookie is host-only, so it is visible
 * only when the page is on Gatehouse's host (a relative `url`, or the same host
 * name). Elsewhere, and outside browsers, there is no hint and a restore always asks.
 */
export function sessionHintFor(url: string, option: boolean | SessionHint | undefined): SessionHint | undefined {
  if (typeof option === "function") return option;
  if (option === false || !looksLikeBrowserPage()) return undefined;
  if (option === undefined && !onPageHost(url)) return undefined;
  return readHintCookie;
}

function onPageHost(url: string): boolean {
  try {
    return new URL(url, location.href).hostname === location.hostname;
  } catch {
    return false;
  }
}

// Read only, never written: the server alone sets and clears it.
function readHintCookie(): boolean {
  return document.cookie.split(";").some((pair) => pair.trim() === `${SESSION_HINT_COOKIE}=1`);
}
