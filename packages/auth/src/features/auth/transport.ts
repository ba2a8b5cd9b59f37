import type { Context } from "../../context.js";
import { clearedRefreshCookie, clearedSessionHintCookie, DEVICE_COOKIE_PATH, deviceCookie, OTHER_SIGN_IN_PATHS, refreshCookie, REFRESH_COOKIE, sessionHintCookie } from "../../http/cookies.js";
import { DEVICE_TTL_SECONDS } from "../devices/device-store.js";
import { toPublicUser } from "../users/user-record.js";
import type { SignedIn } from "./auth-service.js";
import type { TokenSet } from "./schema.js";

/**
 * Puts a fresh token pair on the wire: in cookie mode the refresh token goes
 * only into the HttpOnly cookie (with the session hint beside it), in token
 * mode only into the body.
 */
export function deliverTokens(ctx: Context, signedIn: SignedIn): TokenSet {
  const { tokens, user, deviceToken } = signedIn;
  const base = { accessToken: tokens.accessToken, tokenType: "Bearer" as const, expiresIn: tokens.expiresIn, user: toPublicUser(user) };
  if (ctx.authMode === "token") {
    return { ...base, refreshToken: tokens.refreshToken, refreshExpiresIn: tokens.refreshExpiresIn, ...(deviceToken ? { deviceToken } : {}) };
  }
  ctx.setCookie(refreshCookie(tokens.refreshToken, tokens.refreshExpiresIn));
  ctx.setCookie(sessionHintCookie(tokens.refreshExpiresIn));
  if (deviceToken) for (const path of [DEVICE_COOKIE_PATH, ...OTHER_SIGN_IN_PATHS]) ctx.setCookie(deviceCookie(deviceToken, DEVICE_TTL_SECONDS, path));
  return base;
}

/** The refresh token the request carries for its mode; the other channel is ignored. */
export function presentedRefreshToken(ctx: Context, bodyToken: string | undefined): string | undefined {
  return ctx.authMode === "token" ? bodyToken : ctx.cookies[REFRESH_COOKIE] || undefined;
}

export function clearRefreshCookie(ctx: Context): void {
  if (ctx.authMode !== "cookie") return;
  ctx.setCookie(clearedRefreshCookie());
  ctx.setCookie(clearedSessionHintCookie());
}
