import { TRPCError, type TRPC_ERROR_CODE_KEY, type TRPCDefaultErrorShape, type TRPCProcedureBuilder, type TRPCUnsetMarker } from "@trpc/server";
import { refusalOf } from "./refusal.js";
import { VerifyError, type RefusalReason } from "./errors.js";
import type { Verifier } from "./verifier.js";

/** What your tRPC context must carry: the request's `Authorization` header. */
export interface GatehouseContext {
  authorization?: string | null | undefined;
}

// The HTTP status each refusal travels with, as Gatehouse answers it (CONTRACT §3).
const CODES: Record<RefusalReason, TRPC_ERROR_CODE_KEY> = {
  token_expired: "UNAUTHORIZED",
  token_invalid: "UNAUTHORIZED",
  token_revoked: "UNAUTHORIZED",
  forbidden: "FORBIDDEN",
  reauth_required: "FORBIDDEN",
  store_unavailable: "SERVICE_UNAVAILABLE",
};

const refuse = (refusal: VerifyError): TRPCError => new TRPCError({ code: CODES[refusal.reason], message: refusal.message, cause: refusal });

/** The error shape of these procedures: tRPC's, with Gatehouse's `reason` in `data` for the client SDK to act on. */
export type GatehouseErrorShape = TRPCDefaultErrorShape & { data: { reason?: RefusalReason } };

// Adds `reason` to our own refusals only; any other error goes on to the router's formatter.
const withReason = ({ shape, error }: { shape: TRPCDefaultErrorShape; error: TRPCError }): GatehouseErrorShape | undefined =>
  error.cause instanceof VerifyError ? { ...shape, data: { ...shape.data, reason: error.cause.reason } } : undefined;

/**
 * Procedure builders for your own router, from its base procedure:
 *
 *     const { authed, withScope, fresh } = gatehouseProcedures(t.procedure, verifier);
 *
 * - `authed`: a valid Gatehouse access token; the resolver gets `ctx.user`.
 * - `withScope(scope)`: and the user holds `scope` (verifier option `scopesByRole`, or the token's `scope`), else `forbidden`.
 * - `fresh(maxAgeSeconds)`: and the user entered their password at most that
 *   long ago, else `reauth_required` (the SDK asks the app to step up and retries);
 *   pass a scope to need both.
 *
 * Refusals answer like Gatehouse: HTTP 401/403/503 with `error.data.reason`.
 */
export function gatehouseProcedures<TContext extends GatehouseContext, TMeta, TErrorShape>(
  procedure: TRPCProcedureBuilder<TContext, TMeta, object, TRPCUnsetMarker, TRPCUnsetMarker, TRPCUnsetMarker, TRPCUnsetMarker, false, TErrorShape>,
  verifier: Verifier,
) {
  const authed = procedure.errors(withReason).use(async ({ ctx, next }) => {
    let user;
    try {
      user = await verifier.verify(ctx.authorization);
    } catch (error) {
      throw refuse(refusalOf(error));
    }
    return next({ ctx: { user } });
  });

  const withScope = (scope: string) =>
    authed.use(({ ctx, next }) => {
      if (!ctx.user.scopes?.includes(scope)) throw refuse(new VerifyError("forbidden", `This needs the ${scope} scope.`));
      return next();
    });

  const fresh = (maxAgeSeconds: number, scope?: string) => {
    if (!(maxAgeSeconds >= 0)) throw new TypeError("fresh(maxAgeSeconds) needs a number of seconds.");
    return (scope === undefined ? authed : withScope(scope)).use(({ ctx, next }) => {
      if (verifier.now() / 1000 - ctx.user.authTime > maxAgeSeconds) throw refuse(new VerifyError("reauth_required"));
      return next();
    });
  };

  return { authed, withScope, fresh };
}

export type { VerifiedUser } from "./verified-user.js";
export type { RefusalReason } from "./errors.js";
