import type { RequestListener } from "node:http";
import { initTRPC } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";

export const BARE_PREFIX = "/bare/";

const t = initTRPC.create();

/** The baseline: one public query with no middleware, no store and no auth. */
export const bareRouter = t.router({
  ping: t.procedure.query(() => ({ ok: true as const })),
});

export function createBareHandler(): RequestListener {
  return createHTTPHandler({ router: bareRouter, basePath: BARE_PREFIX });
}
