import type { RequestListener } from "node:http";
import { initTRPC, TRPCError } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";

export const BARE_PREFIX = "/bare/";

const t = initTRPC.create();

/** The baselines: no middleware, no store and no auth. */
export const bareRouter = t.router({
  /** One public query. */
  ping: t.procedure.query(() => ({ ok: true as const })),
  /** A mutation that reads its JSON body and refuses with 429: tRPC's own floor for a rejected POST. */
  reject: t.procedure
    .input((raw: unknown) => raw)
    .mutation(() => {
      throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "Too many requests; try again later." });
    }),
});

export function createBareHandler(): RequestListener {
  return createHTTPHandler({ router: bareRouter, basePath: BARE_PREFIX });
}
