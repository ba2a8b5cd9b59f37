import type { TRPCRouterRecord } from "@trpc/server";
import type { z } from "zod";
import { AuthError } from "../../errors.js";
import { okOutput, procedures } from "../../trpc.js";
import { toPublicUser } from "../users/user-record.js";
import { meOutput, refreshInput, tokenSetOutput } from "./schema.js";
import { clearRefreshCookie, deliverTokens, presentedRefreshToken, requiredRefreshToken } from "./transport.js";

/** `auth.refresh`, `auth.logout`, `auth.logoutAll`: a session's tokens renewed, or the session ended; `auth.me`: whose they are. */
export const sessionTokenRouter = {
  refresh: procedures.refreshToken
    .input(refreshInput)
    .output(tokenSetOutput)
    .mutation(async ({ ctx, input }) => {
      const token = requiredRefreshToken(ctx, input?.refreshToken);
      try {
        return deliverTokens(ctx, await ctx.services.refreshRotation.refresh(token, ctx.meta));
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
      await ctx.services.sessionAuth.logout({ accessToken: ctx.bearerToken, refreshToken: presentedRefreshToken(ctx, input?.refreshToken) }, ctx.meta);
      clearRefreshCookie(ctx);
      return { ok: true as const };
    }),

  logoutAll: procedures.user
    .meta({ access: "user", unverifiedEmail: true })
    .output(okOutput)
    .mutation(async ({ ctx }) => {
      await ctx.services.sessionAuth.logoutAll(ctx.caller.user, ctx.meta);
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
