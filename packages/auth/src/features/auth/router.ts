import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { AuthError } from "../../errors.js";
import { procedures, sessionCaller } from "../../trpc.js";
import { toPublicUser } from "../users/user-record.js";
import { emailSchema, passwordInputSchema, changePasswordInput, linkTokenInput, loginInput, meOutput, mfaChallengeOutput, okOutput, reauthenticateInput, refreshInput, signupInput, tokenSetOutput, verifyMfaInput } from "./schema.js";
import { presentedDevice, presentedDeviceToken } from "../devices/transport.js";
import { API_KEY_PREFIX } from "../../tokens/api-key-prefix.js";
import { clearRefreshCookie, deliverTokens, presentedRefreshToken, requiredRefreshToken } from "./transport.js";

export const authRouter = {
  signup: procedures.public
    .meta({ access: "public", limits: [{ rule: "signup.ip", by: "ip" }], hashes: true })
    .input(signupInput)
    .output(tokenSetOutput)
    .mutation(async ({ ctx, input }) => {
      const signedIn = await ctx.services.auth.signup({ email: input.email, password: input.password, name: input.name }, ctx.meta);
      // Its tokens do nothing else until the address is confirmed, so the link goes out at once.
      if (ctx.services.config.requireVerifiedEmail) ctx.services.recovery.sendVerification(signedIn.user, ctx.meta);
      return deliverTokens(ctx, signedIn);
    }),

  login: procedures.public
    .meta({ access: "public", limits: [{ rule: "login.ip", by: "ip" }, { rule: "login.email", by: "email_or_device" }], hashes: true })
    .input(loginInput)
    .output(z.union([tokenSetOutput, mfaChallengeOutput]))
    .mutation(async ({ ctx, input }) => {
      const deviceToken = presentedDeviceToken(ctx, input);
      const device = presentedDevice(ctx, input, input.email);
      const result = await ctx.services.auth.login({ email: input.email, password: input.password, deviceToken, device }, ctx.meta);
      return "mfaRequired" in result ? result : deliverTokens(ctx, result);
    }),

  verifyMfa: procedures.public
    .input(verifyMfaInput)
    .output(tokenSetOutput)
    .mutation(async ({ ctx, input }) => deliverTokens(ctx, await ctx.services.auth.verifyMfa({ mfaToken: input.mfaToken, code: input.code }, ctx.meta))),

  // Password checks of a signed-in user have a per-user count of their own, besides the lockout.
  reauthenticate: procedures.user
    .meta({ access: "user", limits: [{ rule: "reauth.user", by: "user" }], hashes: true })
    .input(reauthenticateInput)
    .output(tokenSetOutput)
    .mutation(async ({ ctx, input }) => {
      const { user, accessToken, expiresIn } = await ctx.services.auth.reauthenticate(sessionCaller(ctx.caller), { password: input.password, code: input.code }, ctx.meta);
      // Same session, same refresh token: only the access token is renewed.
      return { accessToken, tokenType: "Bearer" as const, expiresIn, user: toPublicUser(user) };
    }),

  changePassword: procedures.user
    .meta({ access: "user", limits: [{ rule: "reauth.user", by: "user" }], hashes: true })
    .input(changePasswordInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.recovery.changePassword(sessionCaller(ctx.caller), { currentPassword: input.currentPassword, newPassword: input.newPassword }, ctx.meta);
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
        if (!ctx.bearerToken || ctx.bearerToken.startsWith(API_KEY_PREFIX)) throw new AuthError("token_invalid", { message: "Send an access token as Authorization: Bearer …, or {email}." });
        const { user } = await ctx.services.auth.authenticate(ctx.bearerToken);
        await ctx.services.recovery.requestEmailVerification(user, ctx.meta);
      }
      return { ok: true as const };
    }),

  verifyEmail: procedures.public
    .input(linkTokenInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      // Opened while signed in: that session is kept (an expired or foreign token is simply not a signed-in caller).
      const signedIn = ctx.bearerToken ? await ctx.services.auth.authenticate(ctx.bearerToken).catch(() => undefined) : undefined;
      await ctx.services.recovery.verifyEmail(input.token, ctx.meta, signedIn?.session);
      return { ok: true as const };
    }),

  refresh: procedures.refreshToken
    .input(refreshInput)
    .output(tokenSetOutput)
    .mutation(async ({ ctx, input }) => {
      const token = requiredRefreshToken(ctx, input?.refreshToken);
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

  logoutAll: procedures.user.meta({ access: "user", unverifiedEmail: true }).output(okOutput).mutation(async ({ ctx }) => {
    await ctx.services.auth.logoutAll(ctx.caller.user, ctx.meta);
    clearRefreshCookie(ctx);
    return { ok: true as const };
  }),

  // No output parser: the hottest read in the API, and toPublicUser already
  // builds the reply field by field (a parser is one more tRPC layer per call).
  me: procedures
    .userOrApiKey("profile:read")
    .meta({ access: "user", apiKeyScope: "profile:read", unparsedOutput: meOutput, unverifiedEmail: true })
    .query(({ ctx }): z.output<typeof meOutput> => ({ user: toPublicUser(ctx.caller.user) })),
} satisfies TRPCRouterRecord;
