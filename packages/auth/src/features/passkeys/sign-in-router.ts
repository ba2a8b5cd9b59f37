import type { TRPCRouterRecord } from "@trpc/server";
import { procedures } from "../../trpc.js";
import { tokenSetOutput } from "../sessions/schema.js";
import { deliverTokens } from "../sessions/transport.js";
import { presentedDeviceToken } from "../devices/transport.js";
import { loginWithPasskeyInput, passkeyOptionsInput, requestOptionsOutput } from "./schema.js";

/** Mounted under `auth.` beside the password procedures. */
export const passkeySignInRouter = {
  // Only makes a challenge (counted under `default`); the sign-in itself is limited like a password login.
  passkeyOptions: procedures.public
    .input(passkeyOptionsInput)
    .output(requestOptionsOutput)
    .mutation(({ ctx, input }) => ctx.services.passkeySignIn.options(input?.email)),

  // No email in the input to key `login.email` by: an assertion cannot be guessed, and lockout still applies.
  loginWithPasskey: procedures.public
    .meta({ access: "public", limits: [{ rule: "login.ip", by: "ip" }] })
    .input(loginWithPasskeyInput)
    .output(tokenSetOutput)
    .mutation(async ({ ctx, input }) =>
      deliverTokens(
        ctx,
        await ctx.services.passkeySignIn.signIn({ challengeId: input.challengeId, response: input.response }, presentedDeviceToken(ctx, input), ctx.meta),
      ),
    ),
} satisfies TRPCRouterRecord;
