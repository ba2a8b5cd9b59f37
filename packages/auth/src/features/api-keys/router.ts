import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { procedures } from "../../trpc.js";
import type { ApiKeyRecord } from "./api-key-store.js";
import { apiKeyScopeSchema } from "../../api-key-scopes.js";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const listedKey = (r: ApiKeyRecord) => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  scopes: r.scopes,
  createdAt: iso(r.createdAt)!,
  lastUsedAt: iso(r.lastUsedAt),
  expiresAt: iso(r.expiresAt),
});

export const apiKeysRouter = {
  // No scope: an API key can never mint another key.
  create: procedures.userWithStepUp
    .input(
      z.strictObject({
        name: z.string().trim().min(1).max(100),
        scopes: z.array(apiKeyScopeSchema).min(1).max(10),
        expiresInDays: z.number().int().min(1).max(3650).optional(),
      }),
    )
    .output(z.object({ id: z.string(), key: z.string(), prefix: z.string(), scopes: z.array(apiKeyScopeSchema), expiresAt: z.string().nullable() }))
    .mutation(async ({ ctx, input }) => {
      const { record, key } = await ctx.services.apiKeys.create(
        ctx.caller.user,
        { name: input.name, scopes: input.scopes, expiresInDays: input.expiresInDays },
        ctx.meta,
      );
      return { id: record.id, key, prefix: record.prefix, scopes: record.scopes, expiresAt: iso(record.expiresAt) };
    }),

  list: procedures.user
    .output(
      z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          prefix: z.string(),
          scopes: z.array(apiKeyScopeSchema),
          createdAt: z.string(),
          lastUsedAt: z.string().nullable(),
          expiresAt: z.string().nullable(),
        }),
      ),
    )
    .query(async ({ ctx }) => (await ctx.services.apiKeys.list(ctx.caller.user)).map(listedKey)),

  revoke: procedures.user
    .input(z.strictObject({ id: z.string().min(1).max(64) }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.apiKeys.revoke(ctx.caller.user, input.id, ctx.meta);
      return { ok: true as const };
    }),
} satisfies TRPCRouterRecord;
