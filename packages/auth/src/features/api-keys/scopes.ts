import { z } from "zod";

/** The scopes CONTRACT §4 names; a procedure without one refuses API keys. */
export const apiKeyScopeSchema = z.enum(["profile:read", "users:read", "activity:read"]);
export type ApiKeyScope = z.infer<typeof apiKeyScopeSchema>;
