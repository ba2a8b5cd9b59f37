import type { AnyTRPCProcedure, AnyTRPCRouter, TRPCError } from "@trpc/server";
import { getErrorShape } from "@trpc/server/unstable-core-do-not-import";
import type { ZodType } from "zod";
import type { Context } from "./context.js";
import type { AppRouter } from "./root.js";
import type { ProcedureMeta } from "./trpc.js";

/*
 * Every use of tRPC's internals in Gatehouse, written against @trpc/server
 * 11.25.2 (the version the lockfile pins). Nothing else may read a router's
 * `_def`, its `_config`, or import `@trpc/server/unstable-core-do-not-import`
 * (eslint.config.js and test/trpc-internals.test.ts hold that line); the same
 * test pins the shapes read here, so a tRPC upgrade that changes them fails it
 * instead of the server.
 *
 * - `router._def.procedures`: tRPC has no public way to list a router's
 *   procedures with their meta and validators; the early rate limits and
 *   /openapi.json both start from that list.
 * - `router._def._config` and `getErrorShape`: an answer given before tRPC runs
 *   (an early rate limit, shed load, an oversized body) must carry the body
 *   tRPC's own error formatter would give; tRPC exports no public way to run it.
 * - `AppRouter["_def"]["record"]`: the type of the router's nested record, for
 *   a type naming every procedure path.
 */

/** What the server knows about one procedure, read from the router itself. */
export interface CatalogEntry {
  /** Dotted, as in the URL: `auth.login` is served at `/trpc/auth.login`. */
  path: string;
  kind: "query" | "mutation";
  meta: ProcedureMeta;
  /** The input validator, or undefined for a procedure that takes none. */
  input: ZodType | undefined;
  /** The output validator, or the declared schema of an output that is not parsed (`unparsedOutput`). */
  output: ZodType | undefined;
}

interface ProcedureDef {
  type: "query" | "mutation" | "subscription";
  meta?: ProcedureMeta;
  inputs: unknown[];
  output?: unknown;
}

/** Every procedure of `router`, in the order the router declares them. */
export function catalogOf(router: AnyTRPCRouter): CatalogEntry[] {
  const procedures = router._def.procedures as Record<string, { _def: ProcedureDef }>;
  return Object.entries(procedures).map(([path, { _def: def }]) => {
    if (def.type === "subscription") throw new Error(`${path}: subscriptions are not served over plain HTTP`);
    if (!def.meta) throw new Error(`${path} declares no access`);
    // Each builder here takes one .input(); several would be merged by tRPC, which none of ours does.
    if (def.inputs.length > 1) throw new Error(`${path}: one input validator expected`);
    return {
      path,
      kind: def.type,
      meta: def.meta,
      input: def.inputs[0] as ZodType | undefined,
      output: (def.output ?? def.meta.unparsedOutput) as ZodType | undefined,
    };
  });
}

/**
 * An error's body as tRPC would send it for a call to `path` of `router`, for
 * answers given before tRPC runs (only on POSTs and unsupported methods; our
 * formatter ignores the call's type).
 */
export function callErrorShape(router: AnyTRPCRouter, error: TRPCError, ctx: Context, path: string) {
  return getErrorShape({ config: router._def._config, error, type: "mutation", path, input: undefined, ctx });
}

type PathsOf<TRecord, Prefix extends string = ""> = {
  [K in keyof TRecord & string]: TRecord[K] extends AnyTRPCProcedure ? `${Prefix}${K}` : PathsOf<TRecord[K], `${Prefix}${K}.`>;
}[keyof TRecord & string];

/** Every procedure path of the app's router, as a type: a table keyed by it must name each procedure. */
export type ProcedurePath = PathsOf<AppRouter["_def"]["record"]>;
