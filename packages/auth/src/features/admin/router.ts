import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { procedures } from "../../trpc.js";
import { publicUserSchema, toPublicUser } from "../users/user-record.js";

const userId = z.string().min(1).max(64);
const ok = z.object({ ok: z.literal(true) });

export const adminRouter = {
  listUsers: procedures.admin
    .input(z.strictObject({ page: z.number().int().min(1).max(1_000_000).default(1), limit: z.number().int().min(1).max(100).default(20) }).default({ page: 1, limit: 20 }))
    .output(z.object({ items: z.array(publicUserSchema), total: z.number() }))
    .query(async ({ ctx, input }) => {
      const { items, total } = await ctx.services.users.page((input.page - 1) * input.limit, input.limit);
      return { items: items.map(toPublicUser), total };
    }),

  setRole: procedures.adminWithStepUp
    .input(z.strictObject({ userId, role: z.enum(["user", "admin"]) }))
    .output(z.object({ user: publicUserSchema }))
    .mutation(async ({ ctx, input }) => ({
      user: toPublicUser(await ctx.services.admin.setRole(ctx.caller.user, input.userId, input.role)),
    })),

  lockUser: procedures.admin
    .input(z.strictObject({ userId, reason: z.string().trim().min(1).max(500) }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.admin.lock(ctx.caller.user, input.userId, input.reason);
      return { ok: true as const };
    }),

  unlockUser: procedures.admin
    .input(z.strictObject({ userId }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.admin.unlock(ctx.caller.user, input.userId);
      return { ok: true as const };
    }),
} satisfies TRPCRouterRecord;
