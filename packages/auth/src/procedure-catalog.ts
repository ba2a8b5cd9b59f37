import type { AnyTRPCProcedure, AnyTRPCRouter } from "@trpc/server";
import type { ZodType } from "zod";
import type { AppRouter } from "./root.js";
import type { ProcedureMeta } from "./trpc.js";

/**
 * What the server knows about one procedure, read from the router itself.
 * The only module that reads tRPC's internal definitions (`_def`): the HTTP
 * layer's early limits and /openapi.json both start from this list.
 */
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

type PathsOf<TRecord, Prefix extends string = ""> = {
  [K in keyof TRecord & string]: TRecord[K] extends AnyTRPCProcedure ? `${Prefix}${K}` : PathsOf<TRecord[K], `${Prefix}${K}.`>;
}[keyof TRecord & string];

/** Every procedure path of the app's router, as a type: a table keyed by it must name each procedure. */
export type ProcedurePath = PathsOf<AppRouter["_def"]["record"]>;
