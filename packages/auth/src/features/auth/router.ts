import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { AuthError } from "../../errors.js";
import { procedures } from "../../trpc.js";
import { publicUserSchema, toPublicUser } from "../users/user-record.js";
import { loginInput, okOutput, refreshInput, signupInput, tokenSetOutput } from "./schema.js";
import { presentedDeviceToken } from "../devices/transport.js";
import { clearRefreshCookie, deliverTokens, presentedRefreshToken } from "./transport.js";

export const authRouter = {
  signup: procedures.public
    .meta({ access: "public", limits: [{ rule: "signup.ip", by: "ip" }] })
    .input(signupInput)
    .output(tokenSetOutput)
    .mutation(async ({ ctx, input }) =>
      deliverTokens(ctx, await ctx.services.auth.signup({ email: input.email, password: input.password, name: input.name }, ctx.meta)),
    ),

  login: procedures.public
    .meta({ access: "public", limits: [{ rule: "login.ip", by: "ip" }, { rule: "login.email", by: "email_or_device" }] })
    .input(loginInput)
    .output(tokenSetOutput)
    .mutation(async ({ ctx, input }) => {
      const deviceToken = presentedDeviceToken(ctx, input);
      return deliverTokens(ctx, await ctx.services.auth.login({ email: input.email, password: input.password, deviceToken }, ctx.meta));
    }),

  refresh: procedures.refreshToken
    .input(refreshInput)
    .output(tokenSetOutput)
    .mutation(async ({ ctx, input }) => {
      const token = presentedRefreshToken(ctx, input?.refreshToken);
      if (!token) throw new AuthError("refresh_invalid", { message: "No refresh token was sent." });
      try {
        return deliverTokens(ctx, await ctx.services.auth.refresh(token, ctx.meta));
      } catch (error) {
        // A dead refresh cookie is of no further use to the browser.
        if (error instanceof AuthError) clearRefreshCookie(ctx);
        throw error;
      }
    }),

  logout: procedures.session
    .input(refreshInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.auth.logout({ accessToken: ctx.bearerToken, refreshToken: presentedRefreshToken(ctx, input?.refreshToken) }, ctx.meta);
      clearRefreshCookie(ctx);
      return { ok: true as const };
    }),

  logoutAll: procedures.user.output(okOutput).mutation(async ({ ctx }) => {
    await ctx.services.auth.logoutAll(ctx.caller.user, ctx.meta);
    clearRefreshCookie(ctx);
    return { ok: true as const };
  }),

  me: procedures
    .userOrApiKey("profile:read")
    .output(z.object({ user: publicUserSchema }))
    .query(({ ctx }) => ({ user: toPublicUser(ctx.caller.user) })),
} satisfies TRPCRouterRecord;
