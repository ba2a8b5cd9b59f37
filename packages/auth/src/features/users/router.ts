import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { AuthError } from "../../errors.js";
import { procedures } from "../../trpc.js";
import { publicUserSchema, toPublicUser } from "./user-record.js";

const userOutput = z.object({ user: publicUserSchema });

export const usersRouter = {
  get: procedures
    .userOrApiKey("users:read")
    .input(z.strictObject({ id: z.string().min(1).max(64) }))
    .output(userOutput)
    .query(async ({ ctx, input }) => {
      const { user: caller } = ctx.caller;
      // Ownership is part of the lookup: a user the caller may not see is simply not found.
      if (caller.id !== input.id && caller.role !== "admin") throw new AuthError("not_found");
      const user = await ctx.services.users.get(input.id);
      if (!user) throw new AuthError("not_found");
      return { user: toPublicUser(user) };
    }),

  // Strict: any field but `name` (role, emailVerified, …) fails the whole request.
  update: procedures.user
    .input(z.strictObject({ name: z.string().trim().min(1).max(100) }))
    .output(userOutput)
    .mutation(async ({ ctx, input }) => {
      const user = await ctx.services.users.update(ctx.caller.user.id, (u) => ({ ...u, name: input.name }));
      if (!user) throw new AuthError("not_found");
      return { user: toPublicUser(user) };
    }),
} satisfies TRPCRouterRecord;
