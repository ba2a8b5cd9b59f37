import type { Context } from "../../context.js";
import { DEVICE_COOKIE } from "../../cookies.js";
import type { DeviceRecord } from "./device-store.js";

/** The device credential the request carries for its mode: the cookie, or `deviceToken` in a token-mode body. */
export function presentedDeviceToken(ctx: Context, rawInput: unknown): string | undefined {
  if (ctx.authMode === "cookie") return ctx.cookies[DEVICE_COOKIE] || undefined;
  const token = (rawInput as { deviceToken?: unknown } | undefined)?.deviceToken;
  return typeof token === "string" ? token : undefined;
}

/** The device behind the credential the call presents, if issued for `email`'s account: looked up once per call (its rate-limit key and its sign-in both ask). */
export function presentedDevice(ctx: Context, rawInput: unknown, email: string): Promise<DeviceRecord | undefined> {
  const token = presentedDeviceToken(ctx, rawInput);
  return ctx.memo.once(`device ${email} ${token ?? ""}`, () => ctx.services.devices.find(token, email));
}
