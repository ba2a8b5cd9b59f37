export { createAuthClient, type AuthClient, type AuthClientOptions, type LoginResult, type SignedInResult } from "./create-auth-client.js";
export { authLink, type AuthLinkOptions } from "./auth-link.js";
export type { AuthEvent, AuthListener } from "./auth-events.js";
export { GatehouseError, reasonOf, retryAfterSecondsOf, type GatehouseReason, type ValidationIssue } from "./errors.js";
export type { AuthStatus } from "./session-keeper.js";
export { memoryStorage, type TokenSlot, type TokenStorage } from "./storage.js";
export type { TabSyncNames } from "./tab-sync.js";
export type { AuthMode, FetchLike } from "./transport.js";
export type { MfaChallenge, PublicUser, TokenSet } from "./wire.js";
