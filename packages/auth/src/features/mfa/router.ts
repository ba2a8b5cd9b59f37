import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { procedures } from "../../trpc.js";

const codeInput = z.strictObject({ code: z.string().trim().min(6).max(32) });

export const mfaRouter = {
  setupTotp: procedures.userWithStepUp
    .output(z.object({ secret: z.string(), otpauthUrl: z.string() }))
    .mutation(({ ctx }) => ctx.services.mfa.setup(ctx.caller.user)),

  enableTotp: procedures.user
    .input(codeInput)
    .output(z.object({ recoveryCodes: z.array(z.string()) }))
    .mutation(async ({ ctx, input }) => ({ recoveryCodes: await ctx.services.mfa.enable(ctx.caller.user, input.code, ctx.meta) })),

  disableTotp: procedures.userWithStepUp
    .input(codeInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.mfa.disable(ctx.caller.user, input.code, ctx.meta);
      return { ok: true as const };
    }),
} satisfies TRPCRouterRecord;
