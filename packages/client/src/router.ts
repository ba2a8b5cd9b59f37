import type { AppRouter as ServerRouter } from "@gatehouse/auth";
import type { AnyTRPCRouter, TRPCBuiltRouter, TRPCMutationProcedure, TRPCQueryProcedure, TRPCSubscriptionProcedure } from "@trpc/server";

/*
 * Gatehouse's router as a client sees it, written out in full in this
 * package's declarations so that they stand alone outside this repository.
 *
 * The server's own router type reaches its context (every service, the store,
 * the logger) and its procedure metadata: a d.ts bundler would copy all of
 * that in, along with imports of packages a client does not install. Only the
 * procedures' inputs, outputs and error shape matter to a client, so they are
 * kept here, as plain object types, and the context and metadata erased.
 */

/** A structural copy: drops the names of the server's own types so they are spelled out where used. */
type Plain<T> = T extends object ? { [K in keyof T]: Plain<T[K]> } : T;

// Each procedure written out as an object type, not through a helper alias:
// an alias would be printed with the server's definition as its argument.
type ClientProcedures<P> =
  P extends TRPCQueryProcedure<infer D>
    ? TRPCQueryProcedure<{ input: Plain<D["input"]>; output: Plain<D["output"]>; meta: object; errorShape: Plain<D["errorShape"]> }>
    : P extends TRPCMutationProcedure<infer D>
      ? TRPCMutationProcedure<{ input: Plain<D["input"]>; output: Plain<D["output"]>; meta: object; errorShape: Plain<D["errorShape"]> }>
      : P extends TRPCSubscriptionProcedure<infer D>
        ? TRPCSubscriptionProcedure<{ input: Plain<D["input"]>; output: Plain<D["output"]>; meta: object; errorShape: Plain<D["errorShape"]> }>
        : { [K in keyof P]: ClientProcedures<P[K]> };

/** Declared, never defined: only its return type is used. */
declare function clientRouterOf<R extends AnyTRPCRouter>(): TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: Plain<R["_def"]["_config"]["$types"]["errorShape"]>; transformer: false },
  { [K in keyof R["_def"]["record"]]: ClientProcedures<R["_def"]["record"][K]> }
>;

// Never called. TypeScript writes a function's inferred return type out in
// full in the declaration file, where a type alias would stay a reference to
// the server's types; this is what makes dist/router.d.ts self-contained.
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- only its type is used
function gatehouseRouter() {
  return clientRouterOf<ServerRouter>();
}

/** Gatehouse's router, for `createTRPCClient<AppRouter>` and `inferRouterOutputs<AppRouter>`. */
export type AppRouter = ReturnType<typeof gatehouseRouter>;
