import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { procedures, sessionCaller } from "../../trpc.js";
import { presentedDevice, presentedDeviceToken } from "../devices/transport.js";
import { tokenSetOutput } from "../sessions/schema.js";
import { deliverTokens } from "../sessions/transport.js";
import { toPublicUser } from "../users/user-record.js";
import { loginInput, mfaChallengeOutput, reauthenticateInput, signupInput, verifyMfaInput } from "./schema.js";

/** `auth.signup`, `auth.login`, `auth.verifyMfa` and step-up (`auth.reauthenticate`). */
export const signInRouter = {
  signup: procedures.public
    .meta({ access: "public", limits: [{ rule: "signup.ip", by: "ip" }], hashes: true })
    .input(signupInput)
    .output(tokenSetOutput)
    .mutation(async ({ ctx, input }) => {
      const signedIn = await ctx.services.signIn.signup({ email: input.email, password: input.password, name: input.name }, ctx.meta);
      // Its tokens do nothing else until the address is confirmed, so the link goes out at once.
      if (ctx.services.config.requireVerifiedEmail) ctx.services.recovery.sendVerification(signedIn.user, ctx.meta);
      return deliverTokens(ctx, signedIn);
    }),

  login: procedures.public
    .meta({
      access: "public",
      limits: [
        { rule: "login.ip", by: "ip" },
        { rule: "login.email", by: "email_or_device" },
      ],
      hashes: true,
    })
    .input(loginInput)
    .output(z.union([tokenSetOutput, mfaChallengeOutput]))
    .mutation(async ({ ctx, input }) => {
      const deviceToken = presentedDeviceToken(ctx, input);
      const device = presentedDevice(ctx, input, input.email);
      const result = await ctx.services.signIn.login({ email: input.email, password: input.password, deviceToken, device }, ctx.meta);
      return "mfaRequired" in result ? result : deliverTokens(ctx, result);
    }),

  verifyMfa: procedures.public
    .input(verifyMfaInput)
    .output(tokenSetOutput)
    .mutation(async ({ ctx, input }) => deliverTokens(ctx, await ctx.services.signIn.verifyMfa({ mfaToken: input.mfaToken, code: input.code }, ctx.meta))),

  // Password checks of a signed-in user have a per-user count of their own, besides the lockout.
  reauthenticate: procedures.user
    .meta({ access: "user", limits: [{ rule: "reauth.user", by: "user" }], hashes: true })
    .input(reauthenticateInput)
    .output(tokenSetOutput)
    .mutation(async ({ ctx, input }) => {
      const { user, accessToken, expiresIn } = await ctx.services.signIn.reauthenticate(
        sessionCaller(ctx.caller),
        { password: input.password, code: input.code },
        ctx.meta,
      );
      // Same session, same refresh token: only the access token is renewed.
      return { accessToken, tokenType: "Bearer" as const, expiresIn, user: toPublicUser(user) };
    }),
} satisfies TRPCRouterRecord;
