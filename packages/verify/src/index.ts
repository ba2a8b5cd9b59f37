export { createVerifier, type Verifier, type VerifierOptions } from "./verifier.js";
export { VerifyError, type RefusalReason } from "./errors.js";
export type { IntrospectOptions } from "./introspection.js";
export type { Role, ScopesByRole, VerifiedUser } from "./verified-user.js";
export { decodeSecret } from "./secret.js";
