import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { procedures } from "../../trpc.js";

/** A page request of a cursor-paged list; the cursor is opaque, handed back from the previous page. */
export const pageInput = z
  .strictObject({ cursor: z.string().min(1).max(2048).optional(), limit: z.number().int().min(1).max(100).default(20) })
  .default({ limit: 20 });

export const activityRouter = {
  // Always the caller's own events: there is no user id to ask for someone else's.
  list: procedures
    .userOrApiKey("activity:read")
    .input(pageInput)
    .output(z.object({ items: z.array(z.object({ event: z.string(), at: z.string(), ip: z.string(), userAgent: z.string() })), nextCursor: z.string().nullable() }))
    .query(async ({ ctx, input }) => {
      const page = await ctx.services.activity.page(ctx.caller.user.id, input.cursor, input.limit);
      return { items: page.items.map((e) => ({ event: e.event, at: new Date(e.at).toISOString(), ip: e.ip, userAgent: e.userAgent })), nextCursor: page.nextCursor };
    }),
} satisfies TRPCRouterRecord;
