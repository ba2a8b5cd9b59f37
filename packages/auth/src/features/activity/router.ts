import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { procedures } from "../../trpc.js";
import { pageInput } from "./schema.js";

export const activityRouter = {
  // Always the caller's own events: there is no user id to ask for someone else's.
  list: procedures
    .userOrApiKey("activity:read")
    .input(pageInput)
    .output(
      z.object({ items: z.array(z.object({ event: z.string(), at: z.string(), ip: z.string(), userAgent: z.string() })), nextCursor: z.string().nullable() }),
    )
    .query(async ({ ctx, input }) => {
      const page = await ctx.services.activity.page(ctx.caller.user.id, input.cursor, input.limit);
      return {
        items: page.items.map((e) => ({ event: e.event, at: new Date(e.at).toISOString(), ip: e.ip, userAgent: e.userAgent })),
        nextCursor: page.nextCursor,
      };
    }),
} satisfies TRPCRouterRecord;
