import type { TRPCRouterRecord } from "@trpc/server";
import { procedures } from "../../trpc.js";
import { introspect } from "./introspection-service.js";
import { introspectInput, introspectionOutput } from "./schema.js";

/** Served under `auth.` next to the sign-in procedures. */
export const introspectionProcedures = {
  // A query (it changes nothing); services send it by POST so the token stays out of URLs and logs.
  introspect: procedures
    .apiKey("tokens:introspect")
    .input(introspectInput)
    .output(introspectionOutput)
    .query(({ ctx, input }) => introspect(ctx.services.sessionAuth, input.token)),
} satisfies TRPCRouterRecord;
