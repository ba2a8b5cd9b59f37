import { initTRPC } from "@trpc/server";
import { z } from "zod";
import type { Verifier } from "@gatehouse/verify";
import { gatehouseProcedures, type GatehouseContext } from "@gatehouse/verify/trpc";
import type { NotesStore } from "./notes-store.js";

/** What each Gatehouse role may do here; with introspection a demotion takes it away on the next call. */
export const SCOPES_BY_ROLE = {
  user: ["notes:read", "notes:write"],
  admin: ["notes:read", "notes:write", "notes:moderate"],
};

/** Deleting everything needs a password entered in the last five minutes. */
export const FRESH_SIGN_IN_SECONDS = 5 * 60;

export function createNotesRouter(verifier: Verifier, store: NotesStore) {
  const t = initTRPC.context<GatehouseContext>().create();
  const { authed, withScope, fresh } = gatehouseProcedures(t.procedure, verifier);

  return t.router({
    whoami: authed.query(({ ctx }) => ctx.user),
    notes: {
      list: withScope("notes:read").query(({ ctx }) => store.list(ctx.user.userId)),
      add: withScope("notes:write")
        .input(z.strictObject({ text: z.string().trim().min(1).max(500) }))
        .mutation(({ ctx, input }) => store.add(ctx.user.userId, input.text)),
      clear: fresh(FRESH_SIGN_IN_SECONDS, "notes:write").mutation(({ ctx }) => ({ removed: store.clear(ctx.user.userId) })),
      stats: withScope("notes:moderate").query(() => store.stats()),
    },
  });
}

export type NotesRouter = ReturnType<typeof createNotesRouter>;
