import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { procedures } from "../../trpc.js";
import { pageInput } from "../activity/schema.js";
import { EMAIL_MAX_LENGTH } from "../sign-in/schema.js";
import { publicUserSchema, toPublicUser } from "../users/user-record.js";

const userId = z.string().min(1).max(64);
const ok = z.object({ ok: z.literal(true) });

export const adminRouter = {
  listUsers: procedures.admin
    .input(
      z
        .strictObject({
          cursor: z.string().min(1).max(2048).optional(),
          limit: z.number().int().min(1).max(100).default(20),
          // Trimmed and lower-cased as signup stores addresses; the whole address or its beginning.
          email: z.string().trim().toLowerCase().max(EMAIL_MAX_LENGTH).optional(),
        })
        .default({ limit: 20 }),
    )
    .output(z.object({ items: z.array(publicUserSchema), nextCursor: z.string().nullable() }))
    .query(async ({ ctx, input }) => {
      const page = await ctx.services.users.list({ cursor: input.cursor, limit: input.limit, email: input.email || undefined });
      return { items: page.items.map(toPublicUser), nextCursor: page.nextCursor };
    }),

  setRole: procedures.adminWithStepUp
    .input(z.strictObject({ userId, role: z.enum(["user", "admin"]) }))
    .output(z.object({ user: publicUserSchema }))
    .mutation(async ({ ctx, input }) => ({
      user: toPublicUser(await ctx.services.admin.setRole(ctx.caller.user, input.userId, input.role, ctx.meta)),
    })),

  lockUser: procedures.admin
    .input(z.strictObject({ userId, reason: z.string().trim().min(1).max(500) }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.admin.lock(ctx.caller.user, input.userId, input.reason, ctx.meta);
      return { ok: true as const };
    }),

  auditLog: procedures.admin
    .input(pageInput)
    .output(
      z.object({
        items: z.array(
          z.object({
            seq: z.number(),
            at: z.string(),
            actor: z.string().nullable(),
            action: z.string(),
            target: z.string().nullable(),
            result: z.string(),
            ip: z.string(),
            userAgent: z.string(),
            requestId: z.string(),
            hash: z.string(),
          }),
        ),
        nextCursor: z.string().nullable(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const page = await ctx.services.audit.page(input.cursor, input.limit);
      return {
        items: page.items.map((e) => ({
          seq: e.seq,
          at: new Date(e.at).toISOString(),
          actor: e.actor,
          action: e.action,
          target: e.target,
          result: e.result,
          ip: e.ip,
          userAgent: e.userAgent,
          requestId: e.requestId,
          hash: e.hash,
        })),
        nextCursor: page.nextCursor,
      };
    }),

  verifyAuditLog: procedures.admin
    .output(z.object({ ok: z.boolean(), checked: z.number(), brokenAt: z.number().optional() }))
    .query(({ ctx }) => ctx.services.audit.verify()),

  unlockUser: procedures.admin
    .input(z.strictObject({ userId }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.admin.unlock(ctx.caller.user, input.userId, ctx.meta);
      return { ok: true as const };
    }),
} satisfies TRPCRouterRecord;
