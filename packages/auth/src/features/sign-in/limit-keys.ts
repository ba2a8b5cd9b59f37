import type { Context } from "../../context.js";
import type { LimitKeyResolver, LimitKeyResolvers } from "../../call-limits.js";
import { presentedDevice } from "../devices/transport.js";
import { emailSchema } from "./schema.js";

// Input that is not an email fails validation anyway; the IP rules still count it.
const inputEmail = (rawInput: unknown): string | undefined => {
  const email = emailSchema.safeParse((rawInput as { email?: unknown } | undefined)?.email);
  return email.success ? email.data : undefined;
};

/** The user id a bearer access token names (its signature checked; liveness is the authorization gate's job). */
async function bearerUserId(ctx: Context): Promise<string | undefined> {
  if (!ctx.bearerToken) return undefined;
  const verified = await ctx.services.accessTokens.verify(ctx.bearerToken);
  return verified.ok ? verified.claims.sub : undefined;
}

const byEmail: LimitKeyResolver = async (_ctx, rawInput) => {
  const email = inputEmail(rawInput);
  return email === undefined ? undefined : { keyKind: "email", key: `email:${email}` };
};

/** How the rate-limit subjects of CONTRACT §5 are found in a call. */
export const limitKeys: LimitKeyResolvers = {
  email: byEmail,

  async email_or_device(ctx, rawInput) {
    const email = inputEmail(rawInput);
    if (email === undefined) return undefined;
    const device = await presentedDevice(ctx, rawInput, email);
    return device ? { keyKind: "device", key: `device:${device.id}` } : { keyKind: "email", key: `email:${email}` };
  },

  // A call without a valid access token is refused by the authorization gate; it still counts, by IP.
  async user(ctx) {
    const userId = await bearerUserId(ctx);
    return userId ? { keyKind: "user", key: `user:${userId}` } : { keyKind: "ip", key: `ip:${ctx.meta.ip}` };
  },

  async email_or_user(ctx, rawInput) {
    if ((rawInput as { email?: unknown } | undefined)?.email !== undefined) return byEmail(ctx, rawInput);
    const userId = await bearerUserId(ctx);
    const user = userId ? await ctx.services.users.get(userId) : undefined;
    return user ? { keyKind: "email", key: `email:${user.email}` } : { keyKind: "ip", key: `ip:${ctx.meta.ip}` };
  },
};
