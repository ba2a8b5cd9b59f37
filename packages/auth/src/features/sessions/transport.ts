import type { Context } from "../../context.js";
import { AuthError } from "../../errors.js";
import {
  clearedRefreshCookie,
  clearedSessionHintCookie,
  DEVICE_COOKIE_PATHS,
  deviceCookie,
  refreshCookie,
  REFRESH_COOKIE,
  sessionHintCookie,
} from "../../cookies.js";
import { DEVICE_TTL_SECONDS } from "../devices/device-store.js";
import { toPublicUser } from "../users/user-record.js";
import type { SignedIn } from "./token-issuer.js";
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
  ctx.http.setCookie(refreshCookie(tokens.refreshToken, tokens.refreshExpiresIn));
  ctx.http.setCookie(sessionHintCookie(tokens.refreshExpiresIn));
  if (deviceToken) for (const path of DEVICE_COOKIE_PATHS) ctx.http.setCookie(deviceCookie(deviceToken, DEVICE_TTL_SECONDS, path));
  return base;
}

/**
 * The refresh token the request carries for its mode: the body's in token mode,
 * the cookie otherwise (a token-mode request's cookie is ignored). A body token
 * without token mode is a client mistake, refused rather than ignored.
 */
export function presentedRefreshToken(ctx: Context, bodyToken: string | undefined): string | undefined {
  if (ctx.authMode === "token") return bodyToken;
  if (bodyToken !== undefined) {
    throw new AuthError("validation_failed", {
      issues: [
        {
          path: "refreshToken",
          message: "A refresh token in the body needs the header X-Auth-Mode: token. Browsers send none: theirs travels in the refresh_token cookie.",
        },
      ],
    });
  }
  return ctx.cookies[REFRESH_COOKIE] || undefined;
}

/** The refresh token `auth.refresh` needs, or a refusal that says where it was expected for the request's mode. */
export function requiredRefreshToken(ctx: Context, bodyToken: string | undefined): string {
  const token = presentedRefreshToken(ctx, bodyToken);
  if (token) return token;
  throw new AuthError("refresh_invalid", {
    message:
      ctx.authMode === "token"
        ? 'No refresh token was sent: in token mode send it in the body as {"refreshToken": "<refreshToken>"}.'
        : "No refresh token was sent: there is no refresh_token cookie (sign in first). Apps that keep the refresh token themselves send the header X-Auth-Mode: token and the token in the body as refreshToken.",
  });
}

export function clearRefreshCookie(ctx: Context): void {
  if (ctx.authMode !== "cookie") return;
  ctx.http.setCookie(clearedRefreshCookie());
  ctx.http.setCookie(clearedSessionHintCookie());
}
