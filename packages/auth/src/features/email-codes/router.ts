import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { okOutput, procedures } from "../../trpc.js";
import { mfaChallengeOutput } from "../sign-in/schema.js";
import { tokenSetOutput } from "../sessions/schema.js";
import { deliverTokens } from "../sessions/transport.js";
import { presentedDevice, presentedDeviceToken } from "../devices/transport.js";
import { loginWithEmailCodeInput, requestEmailCodeInput } from "./schema.js";

/** Mounted under `auth.` beside the password procedures. */
export const emailCodeRouter = {
  requestEmailCode: procedures.public
    .meta({ access: "public", limits: [{ rule: "emailCode.email", by: "email" }] })
    .input(requestEmailCodeInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.emailCodes.requestCode(input.email, ctx.meta);
      return { ok: true as const };
    }),

  // The link form has no email to key `login.email` by; a wrong link is no guess worth limiting (256 bits).
  loginWithEmailCode: procedures.public
    .meta({
      access: "public",
      limits: [
        { rule: "login.ip", by: "ip" },
        { rule: "login.email", by: "email_or_device" },
      ],
    })
    .input(loginWithEmailCodeInput)
    .output(z.union([tokenSetOutput, mfaChallengeOutput]))
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.services.emailCodes.signIn(input, presentedDeviceToken(ctx, input), (email) => presentedDevice(ctx, input, email), ctx.meta);
      return "mfaRequired" in result ? result : deliverTokens(ctx, result);
    }),
} satisfies TRPCRouterRecord;
