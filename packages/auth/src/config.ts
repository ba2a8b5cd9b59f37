import { availableParallelism } from "node:os";
import { systemClock, type Clock, type Store } from "@gatehouse/store";
import type { Logger } from "./log.js";
import type { Mailer } from "./mail/mailer.js";
import { DEFAULT_LIMITS, type Limit, type LimitRule, type Limits } from "./rate-limit/limit-rules.js";
import type { KeyRing } from "./tokens/keyring.js";
import type { GitHubEndpoints } from "./features/oauth/providers/github-client.js";
import type { OAuthProviderInput } from "./features/oauth/provider-config.js";

/** What an embedding application passes in; everything but store, keys and logger has a default. */
export interface GatehouseOptions {
  store: Store;
  keys: KeyRing;
  logger: Logger;
  clock?: Clock;
  issuer?: string;
  audience?: string;
  /** Turns on HSTS and hides internals more strictly. */
  production?: boolean;
  /** Reverse-proxy hops to trust for X-Forwarded-For; 0 ignores the header. */
  trustProxy?: number;
  accessTokenTtlSeconds?: number;
  refreshIdleTtlSeconds?: number;
  refreshAbsoluteTtlSeconds?: number;
  refreshReuseGraceSeconds?: number;
  stepUpWindowSeconds?: number;
  /** bcrypt cost; 12 in production, lower only in tests where the cost is not under test. */
  bcryptCost?: number;
  hashingConcurrency?: number;
  hashingMaxQueued?: number;
  maxBodyBytes?: number;
  maxBatchSize?: number;
  /**
   * Longest time a refusal to a client hammering past a rate limit is held
   * before it is answered, and a 503 `overloaded` too (that one 250 ms at
   * most; see rate-limit/slow-down.ts); 0 answers at once.
   */
  slowDownMaxMs?: number;
  /** Overrides of the named rate-limit rules (AUTH_LIMITS). */
  limits?: Partial<Record<LimitRule, Limit>>;
  /** Where mail goes; without one, mails are skipped with a warning. */
  mailer?: Mailer;
  /** Secret the TOTP seeds are sealed under; derive it from server configuration. */
  dataKey?: string;
  /** Login answers `email_not_verified` until the address is confirmed. */
  requireVerifiedEmail?: boolean;
  /**
   * The app's public URL: links in mails, and the WebAuthn origin (its origin)
   * and relying-party id (its host name, which must be a name, not an IP address).
   */
  appUrl?: string;
  /** A correct email sign-in code for an address without an account creates the account (AUTH_PASSWORDLESS_SIGNUP). */
  passwordlessSignup?: boolean;
  /** Suspicious events are POSTed here, signed with `alertWebhookSecret`. */
  alertWebhookUrl?: string;
  alertWebhookSecret?: string;
  /** How long audit-trail entries are kept. */
  auditRetentionDays?: number;
  /** Exact origins allowed to call from a browser with credentials (CORS_ORIGINS). */
  corsOrigins?: readonly string[];
  /** Sign-in providers (AUTH_OAUTH_PROVIDERS), checked against `oauthProvidersSchema` at start-up. */
  oauthProviders?: readonly OAuthProviderInput[];
  /** GitHub's endpoints: replaced only by tests, with a local stand-in (the environment cannot set them). */
  githubEndpoints?: GitHubEndpoints;
}

type OptionalSettings = "mailer" | "alertWebhookUrl" | "alertWebhookSecret" | "githubEndpoints";
export type GatehouseConfig = Required<Omit<GatehouseOptions, "store" | "keys" | "logger" | "limits" | OptionalSettings>> &
  Pick<GatehouseOptions, "store" | "keys" | "logger" | OptionalSettings> & { limits: Limits };

export function resolveConfig(options: GatehouseOptions): GatehouseConfig {
  return {
    clock: systemClock,
    issuer: "gatehouse",
    audience: "gatehouse-api",
    production: false,
    trustProxy: 0,
    accessTokenTtlSeconds: 15 * 60,
    refreshIdleTtlSeconds: 7 * 24 * 3600,
    refreshAbsoluteTtlSeconds: 30 * 24 * 3600,
    refreshReuseGraceSeconds: 10,
    stepUpWindowSeconds: 10 * 60,
    bcryptCost: 12,
    hashingConcurrency: availableParallelism(),
    hashingMaxQueued: 64,
    maxBodyBytes: 1024 * 1024,
    maxBatchSize: 10,
    slowDownMaxMs: 1000,
    corsOrigins: [],
    oauthProviders: [],
    auditRetentionDays: 365,
    dataKey: "",
    requireVerifiedEmail: false,
    appUrl: "http://localhost:3000",
    passwordlessSignup: false,
    ...stripUndefined(options),
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
