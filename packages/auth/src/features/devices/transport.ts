import type { Context } from "../../context.js";
import { DEVICE_COOKIE } from "../../cookies.js";

/** The device credential the request carries for its mode: the cookie, or `deviceToken` in a token-mode body. */
export function presentedDeviceToken(ctx: Context, rawInput: unknown): string | undefined {
  if (ctx.authMode === "cookie") return ctx.cookies[DEVICE_COOKIE] || undefined;
  const token = (rawInput as { deviceToken?: unknown } | undefined)?.deviceToken;
  return typeof token === "string" ? token : undefined;
}
