import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { AuthError } from "../../errors.js";
import { okOutput, procedures, sessionCaller } from "../../trpc.js";
import { flowCookie } from "../oauth/cookies.js";
import { FLOW_TTL_MS } from "../oauth/flows.js";
import { authorizationOutput, linkedAccountSchema, providerIdSchema } from "../oauth/schema.js";

export const accountsRouter = {
  list: procedures.user.output(z.array(linkedAccountSchema)).query(({ ctx }) => ctx.services.accounts.list(ctx.caller.user)),

  // Without redirectUri the provider returns to this server's callback, which links and redirects to the app;
  // that browser must hold the flow's cookie, so only a cookie-mode caller (a browser) may start it that way.
  linkStart: procedures.userWithStepUp
    .input(z.strictObject({ provider: providerIdSchema, redirectUri: z.string().min(1).max(2048).optional() }))
    .output(authorizationOutput)
    .mutation(async ({ ctx, input }) => {
      if (input.redirectUri === undefined && ctx.authMode === "token") {
        throw new AuthError("validation_failed", {
          issues: [{ path: "redirectUri", message: "Apps (token mode) link through their own redirect URI and finish with auth.oauthFinish." }],
        });
      }
      const { authorizationUrl, state, binding } = await ctx.services.oauth.startLink(sessionCaller(ctx.caller), input.provider, input.redirectUri, ctx.meta);
      if (binding) ctx.http.setCookie(flowCookie(binding, FLOW_TTL_MS / 1000));
      return { authorizationUrl, state };
    }),

  unlink: procedures.userWithStepUp
    .input(z.strictObject({ provider: providerIdSchema }))
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.accounts.unlink(ctx.caller.user, input.provider, ctx.meta);
      return { ok: true as const };
    }),
} satisfies TRPCRouterRecord;
