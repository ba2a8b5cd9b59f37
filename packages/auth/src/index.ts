export type { GatehouseConfig, GatehouseOptions } from "./config.js";
export { AuthError, REASONS, type Reason } from "./errors.js";
export { createGatehouseServer, type GatehouseServerOptions } from "./http/create-server.js";
export { setSecurityHeaders } from "./http/security-headers.js";
export { createRequestListener } from "./http/request-listener.js";
// How Gatehouse serves a tRPC router over node:http, for serving another router the same way (the bench's baseline).
export { createTrpcBridge, writeTrpcAnswer, type TrpcAnswer, type TrpcBridge, type TrpcBridgeOptions } from "./http/trpc-bridge.js";
export { readBody } from "./http/read-body.js";
export { createLogger, type Logger } from "./log.js";
export { commonPasswordCount, findPasswordProblem } from "./passwords/policy.js";
export { appRouter, type AppRouter } from "./root.js";
export { createServices, type Services } from "./services.js";
export { createEcKeyRing, createSecretKeyRing, type KeyRing, type SigningAlgorithm } from "./tokens/keyring.js";
export type { PublicUser } from "./features/users/user-record.js";
export type { TokenSet } from "./features/auth/schema.js";
export { LIMIT_RULES, parseLimits, type Limit, type LimitRule } from "./rate-limit/limit-rules.js";
export { createOutboxMailer } from "./mail/outbox-mailer.js";
export { createSmtpMailer } from "./mail/smtp-mailer.js";
export type { Mail, Mailer } from "./mail/mailer.js";
