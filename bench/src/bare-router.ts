import type { RequestListener } from "node:http";
import { initTRPC, TRPCError } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { createReply, createTrpcBridge, readBody, writeTrpcAnswer } from "@gatehouse/auth/bridge";

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

const MAX_BODY_BYTES = 1024 * 1024;

/** The baseline served exactly as Gatehouse serves its router: the body read first, then tRPC's Fetch handler. */
export function createBareHandler(): RequestListener {
  const bridge = createTrpcBridge({ router: bareRouter, endpoint: BARE_PREFIX });
  return (req, res) => {
    readBody(req, MAX_BODY_BYTES)
      .then((body) => bridge(req, {}, body))
      .then(
        (answer) => writeTrpcAnswer(createReply(res), answer),
        () => res.destroy(),
      );
  };
}

/** The baseline through tRPC's standalone adapter, which Gatehouse served with until 2026-11-23 (adapters section). */
export function createStandaloneBareHandler(): RequestListener {
  return createHTTPHandler({ router: bareRouter, basePath: BARE_PREFIX });
}
