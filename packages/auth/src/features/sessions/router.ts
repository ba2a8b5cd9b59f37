import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { AuthError } from "../../errors.js";
import { procedures } from "../../trpc.js";
import { isSessionLive, type SessionRecord } from "./session-store.js";

const sessionOutput = z.object({
  id: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  ip: z.string(),
  userAgent: z.string(),
  current: z.boolean(),
});

export const sessionsRouter = {
  list: procedures.user.output(z.array(sessionOutput)).query(async ({ ctx }) => {
    const { user, session: current } = ctx.caller.kind === "user" ? ctx.caller : { ...ctx.caller, session: undefined };
    const ids = await ctx.services.sessions.listIds(user.id, user.sessionGeneration);
    const now = ctx.services.config.clock();
    const records = await Promise.all(ids.map((id) => ctx.services.sessions.get(id)));
    // A listed id whose record is gone leaves the list as it is met.
    const gone = ids.filter((_, i) => records[i] === undefined);
    if (gone.length > 0) await ctx.services.sessions.removeFromIndex(user.id, user.sessionGeneration, gone);
    const sessions = records.filter((s): s is SessionRecord => s !== undefined && isSessionLive(s, user.sessionGeneration, now));
    return sessions
      .sort((a, b) => b.lastUsedAt - a.lastUsedAt)
      .map((s) => ({
        id: s.id,
        createdAt: new Date(s.createdAt).toISOString(),
        lastUsedAt: new Date(s.lastUsedAt).toISOString(),
        ip: s.ip,
        userAgent: s.userAgent,
        current: s.id === current?.id,
      }));
  }),

  revoke: procedures.user
    .input(z.strictObject({ id: z.string().min(1).max(64) }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      const session = await ctx.services.sessions.get(input.id);
      // Another user's session is indistinguishable from no session.
      if (!session || session.userId !== ctx.caller.user.id || session.revokedAt !== null) throw new AuthError("not_found");
      await ctx.services.sessionAuth.revokeSession(session, "revoked_by_user", ctx.meta);
      return { ok: true as const };
    }),
} satisfies TRPCRouterRecord;
