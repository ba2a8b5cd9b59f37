import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { procedures } from "../../trpc.js";
import { mfaChallengeOutput } from "../sign-in/schema.js";
import { tokenSetOutput } from "../sessions/schema.js";
import { deliverTokens } from "../sessions/transport.js";
import { presentedDeviceToken } from "../devices/transport.js";
import { authorizationOutput, linkedOutput, oauthFinishInput, oauthProvidersOutput, oauthStartInput } from "./schema.js";

/** The provider procedures of the `auth` namespace (the app flow; browsers use GET /oauth/<provider>/start). */
export const oauthProcedures = {
  oauthProviders: procedures.public.output(oauthProvidersOutput).query(({ ctx }) => ctx.services.oauth.providers()),

  oauthStart: procedures.public
    .input(oauthStartInput)
    .output(authorizationOutput)
    .mutation(({ ctx, input }) => ctx.services.oauth.startInApp(input.provider, input.redirectUri, ctx.meta)),

  oauthFinish: procedures.public
    .meta({ access: "public", limits: [{ rule: "login.ip", by: "ip" }] })
    .input(oauthFinishInput)
    .output(z.union([tokenSetOutput, mfaChallengeOutput, linkedOutput]))
    .mutation(async ({ ctx, input }) => {
      const { oauth, sessionAuth } = ctx.services;
      const returned = { via: "app" as const, code: input.code };
      const flow = await oauth.takeFlow(input.provider, input.state, ctx.meta);
      const result = await oauth.finish(flow, input.state, returned, ctx.meta, {
        deviceToken: presentedDeviceToken(ctx, input),
        callerUserId: async () => (ctx.bearerToken ? (await sessionAuth.authenticate(ctx.bearerToken)).user.id : undefined),
      });
      if ("linked" in result) return { linked: true as const, account: result.linked };
      return "mfaRequired" in result.signedIn ? result.signedIn : deliverTokens(ctx, result.signedIn);
    }),
} satisfies TRPCRouterRecord;
