import { z } from "zod";

/** The scopes CONTRACT §4 names; a procedure without one refuses API keys. */
export const apiKeyScopeSchema = z.enum(["profile:read", "users:read", "activity:read", "tokens:introspect"]);
export type ApiKeyScope = z.infer<typeof apiKeyScopeSchema>;

/**
 * Scopes only an admin's key may carry: checked when the key is made and again
 * on every use, so a key outlives its owner's demotion only as a dead key.
 */
const ADMIN_ONLY_SCOPES: ReadonlySet<ApiKeyScope> = new Set(["tokens:introspect"]);

export const isAdminOnlyScope = (scope: ApiKeyScope): boolean => ADMIN_ONLY_SCOPES.has(scope);
