import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { AuthError } from "../../errors.js";
import { okOutput, procedures, sessionCaller } from "../../trpc.js";
import { emailSchema, passwordInputSchema } from "../sign-in/schema.js";
import { changePasswordInput, linkTokenInput } from "./schema.js";
import { API_KEY_PREFIX } from "../../tokens/api-key-prefix.js";

/** Passwords changed and reset, addresses verified: `auth.changePassword`, `auth.requestPasswordReset`, `auth.resetPassword`, `auth.requestEmailVerification`, `auth.verifyEmail`. */
export const recoveryRouter = {
  changePassword: procedures.user
    .meta({ access: "user", limits: [{ rule: "reauth.user", by: "user" }], hashes: true })
    .input(changePasswordInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.recovery.changePassword(
        sessionCaller(ctx.caller),
        { currentPassword: input.currentPassword, newPassword: input.newPassword },
        ctx.meta,
      );
      return { ok: true as const };
    }),

  requestPasswordReset: procedures.public
    .meta({ access: "public", limits: [{ rule: "reset.email", by: "email" }] })
    .input(z.strictObject({ email: emailSchema }))
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.recovery.requestPasswordReset(input.email, ctx.meta);
      return { ok: true as const };
    }),

  resetPassword: procedures.public
    .input(z.strictObject({ token: z.string().min(1).max(128), password: passwordInputSchema }))
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.recovery.resetPassword(input.token, input.password, ctx.meta);
      return { ok: true as const };
    }),

  // Signed in: no input, a link to the caller's address. Signed out (a login answered `email_not_verified`):
  // `{email}`, answered the same whether or not that address has an account waiting for one.
  requestEmailVerification: procedures.public
    .meta({ access: "public", limits: [{ rule: "verify.email", by: "email_or_user" }] })
    .input(z.strictObject({ email: emailSchema }).optional())
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      if (input?.email !== undefined) {
        await ctx.services.recovery.requestEmailVerificationFor(input.email, ctx.meta);
      } else {
        if (!ctx.bearerToken || ctx.bearerToken.startsWith(API_KEY_PREFIX))
          throw new AuthError("token_invalid", { message: "Send an access token as Authorization: Bearer …, or {email}." });
        const { user } = await ctx.services.sessionAuth.authenticate(ctx.bearerToken);
        await ctx.services.recovery.requestEmailVerification(user, ctx.meta);
      }
      return { ok: true as const };
    }),

  verifyEmail: procedures.public
    .input(linkTokenInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      // Opened while signed in: that session is kept (an expired or foreign token is simply not a signed-in caller).
      const signedIn = ctx.bearerToken ? await ctx.services.sessionAuth.authenticate(ctx.bearerToken).catch(() => undefined) : undefined;
      await ctx.services.recovery.verifyEmail(input.token, ctx.meta, signedIn?.session);
      return { ok: true as const };
    }),
} satisfies TRPCRouterRecord;
