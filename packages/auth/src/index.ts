export type { GatehouseConfig, GatehouseOptions } from "./config.js";
export { AuthError, REASONS, type Reason } from "./errors.js";
export { createGatehouseServer, type GatehouseServerOptions } from "./http/create-server.js";
// Gatehouse's security headers on an app's own answers (a static site served with `serveFirst`).
export { setSecurityHeaders } from "./http/security-headers.js";
// Gatehouse's HTTP surface as one listener, for an app that runs its own node:http or https server.
export { createRequestListener } from "./http/request-listener.js";
export { createLogger, type Logger } from "./log.js";
export { commonPasswordCount, findPasswordProblem } from "./passwords/policy.js";
export { appRouter, type AppRouter } from "./root.js";
export { createServices, type Services } from "./services.js";
export { createEcKeyRing, createSecretKeyRing, type KeyRing, type SigningAlgorithm } from "./tokens/keyring.js";
export type { PublicUser } from "./features/users/user-record.js";
export type { TokenSet } from "./features/sessions/schema.js";
export { formatWindow, LIMIT_RULES, parseDurationSeconds, parseLimits, type Limit, type LimitRule } from "./rate-limit/limit-rules.js";
export { parseOAuthProviders, type OAuthProviderConfig, type OAuthProviderInput } from "./features/oauth/provider-config.js";
export type { GitHubEndpoints } from "./features/oauth/providers/github-client.js";
export { createOutboxMailer } from "./mail/outbox-mailer.js";
export { createSmtpMailer } from "./mail/smtp-mailer.js";
export type { Mail, Mailer } from "./mail/mailer.js";
