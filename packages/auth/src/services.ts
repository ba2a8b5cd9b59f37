import { isIP } from "node:net";
import { resolveConfig, type GatehouseConfig, type GatehouseOptions } from "./config.js";
import { deriveSubKey } from "./crypto/sub-keys.js";
import { createAlertNotifier } from "./events/alert-notifier.js";
import { createEvents } from "./events/events.js";
import { createActivityLog } from "./features/activity/activity-log.js";
import { createAdminService } from "./features/admin/admin-service.js";
import { createApiKeyService } from "./features/api-keys/api-key-service.js";
import { createApiKeyStore } from "./features/api-keys/api-key-store.js";
import { createAuditTrail } from "./features/audit/audit-trail.js";
import { createDeviceStore } from "./features/devices/device-store.js";
import { createEmailCodeService } from "./features/email-codes/email-code-service.js";
import { createEmailCodeStore } from "./features/email-codes/email-code-store.js";
import { createMfaService } from "./features/mfa/mfa-service.js";
import { createPasskeyService } from "./features/passkeys/passkey-service.js";
import { createPasskeySignInService } from "./features/passkeys/passkey-sign-in-service.js";
import { createPasskeyStore } from "./features/passkeys/passkey-store.js";
import { relyingPartyOf } from "./features/passkeys/relying-party.js";
import { createRecoveryService } from "./features/recovery/recovery-service.js";
import { createRefreshRotation } from "./features/sessions/refresh-rotation.js";
import { createRefreshTokenStore } from "./features/sessions/refresh-token-store.js";
import { createSessionAuth } from "./features/sessions/session-auth.js";
import { createSessionStore } from "./features/sessions/session-store.js";
import { createTokenIssuer } from "./features/sessions/token-issuer.js";
import { createCredentialCheck } from "./features/sign-in/credential-check.js";
import { createKnownIps } from "./features/sign-in/known-ips.js";
import { limitKeys } from "./features/sign-in/limit-keys.js";
import { createSignInService } from "./features/sign-in/sign-in-service.js";
import { createUserStore } from "./features/users/user-store.js";
import { createAccountsService } from "./features/accounts/accounts-service.js";
import { createIdentityStore } from "./features/accounts/identity-store.js";
import { createOAuthFlows } from "./features/oauth/flows.js";
import { createOAuthService } from "./features/oauth/oauth-service.js";
import { createProviderSignIn } from "./features/oauth/provider-sign-in.js";
import { oauthProvidersSchema } from "./features/oauth/provider-config.js";
import { createProviderClients } from "./features/oauth/providers/index.js";
import { createMailQueue } from "./mail/background-mail.js";
import { createPasswordHasher } from "./passwords/hasher.js";
import { createHashingQueue } from "./passwords/hashing-queue.js";
import { createLimiter } from "./rate-limit/limiter.js";
import { createAccessTokens } from "./tokens/access-token.js";
import { upgradeStore } from "./upgrade/store-upgrade.js";

/** The composition root: every service built once from config, store and clock. */
export async function createServices(options: GatehouseOptions) {
  const config: GatehouseConfig = resolveConfig(options);
  const { store, clock, logger } = config;
  if (!config.dataKey) throw new Error("dataKey is required: TOTP seeds are sealed under it");

  const auditKey = deriveSubKey(config.dataKey, "audit chain");
  const audit = createAuditTrail(store, clock, config.auditRetentionDays, auditKey);
  const activity = createActivityLog(store, clock);
  if (config.alertWebhookUrl && !config.alertWebhookSecret) throw new Error("alertWebhookSecret is required with alertWebhookUrl");
  const notifyAlert = config.alertWebhookUrl
    ? createAlertNotifier({ url: config.alertWebhookUrl, secret: config.alertWebhookSecret!, clock, logger })
    : undefined;
  const events = createEvents({ logger, audit, activity, emailKey: deriveSubKey(config.dataKey, "email reference"), notifyAlert });
  const users = createUserStore(store);
  const sessions = createSessionStore(store, clock);
  const refreshTokens = createRefreshTokenStore(store, clock);
  const devices = createDeviceStore(store, clock, users);
  const limiter = createLimiter(store, clock, config.limits);
  const accessTokens = createAccessTokens({
    keys: config.keys,
    issuer: config.issuer,
    audience: config.audience,
    ttlSeconds: config.accessTokenTtlSeconds,
    clock,
  });
  const runHashing = createHashingQueue({ concurrency: config.hashingConcurrency, maxQueued: config.hashingMaxQueued });
  const passwords = await createPasswordHasher(config.bcryptCost, runHashing);
  const issuer = createTokenIssuer({
    clock,
    accessTokens,
    sessions,
    refreshTokens,
    refreshIdleTtlSeconds: config.refreshIdleTtlSeconds,
    refreshAbsoluteTtlSeconds: config.refreshAbsoluteTtlSeconds,
  });
  const knownIps = createKnownIps(store);
  const mfa = createMfaService({ store, clock, events, users, dataKey: config.dataKey, limiter });
  const sessionAuth = createSessionAuth({ clock, events, users, sessions, refreshTokens, accessTokens, requireVerifiedEmail: config.requireVerifiedEmail });
  const refreshRotation = createRefreshRotation({
    clock,
    events,
    users,
    sessions,
    refreshTokens,
    issuer,
    sessionAuth,
    refreshReuseGraceSeconds: config.refreshReuseGraceSeconds,
  });
  const signIn = createSignInService({
    clock,
    events,
    users,
    sessions,
    accessTokens,
    issuer,
    passwords,
    devices,
    checkCredential: createCredentialCheck({ limiter, events }),
    mfa,
    knownIps,
    requireVerifiedEmail: config.requireVerifiedEmail,
  });
  const apiKeyStore = createApiKeyStore(store, clock);
  const apiKeys = createApiKeyService({ clock, events, apiKeys: apiKeyStore, users });
  const mail = createMailQueue(config.mailer, logger);
  const admin = createAdminService({ clock, events, users, apiKeys, mail, endAllSessions: sessionAuth.endAllSessions });
  // Before serving: a store written by an earlier version is brought to the current format.
  await upgradeStore({
    store,
    clock,
    logger,
    users,
    sessions,
    apiKeys: apiKeyStore,
    activity,
    key: auditKey,
    retentionMs: config.auditRetentionDays * 24 * 3600_000,
  });
  const oauthConfigs = oauthProvidersSchema.parse(config.oauthProviders);
  const identities = createIdentityStore(store);
  const passkeyStore = createPasskeyStore(store);
  const accounts = createAccountsService({
    events,
    identities,
    configuredProviders: new Set(oauthConfigs.map((provider) => provider.id)),
    hasPasskey: async (userId) => (await passkeyStore.list(userId)).length > 0,
  });
  const recovery = createRecoveryService({ store, clock, events, users, passwords, signIn, sessionAuth, mfa, apiKeys, mail, appUrl: config.appUrl, accounts });
  const emailCodes = createEmailCodeService({
    clock,
    events,
    users,
    signIn,
    recovery,
    knownIps,
    codes: createEmailCodeStore(store, deriveSubKey(config.dataKey, "email sign-in codes")),
    mail,
    appUrl: config.appUrl,
    passwordlessSignup: config.passwordlessSignup,
  });
  const relyingParty = relyingPartyOf(config.appUrl);
  if (isIP(relyingParty.id))
    logger.warn(
      { event: "passkeys_need_host_name", appUrl: config.appUrl },
      "browsers refuse an IP address as WebAuthn relying party: set APP_URL to a host name (http://localhost:PORT) for passkeys",
    );
  const passkeys = createPasskeyService({ store, clock, events, passkeys: passkeyStore, relyingParty });
  const passkeySignIn = createPasskeySignInService({
    store,
    clock,
    events,
    users,
    passkeys: passkeyStore,
    signIn,
    relyingParty,
    decoyKey: deriveSubKey(config.dataKey, "passkey decoys"),
  });
  const providerSignIn = createProviderSignIn({
    clock,
    events,
    users,
    devices,
    identities,
    accounts,
    signIn,
    limiter,
    knownIps,
    sendVerification: recovery.sendVerification,
    requireVerifiedEmail: config.requireVerifiedEmail,
  });
  const flows = createOAuthFlows({ store, clock, events, providers: createProviderClients(oauthConfigs, config.githubEndpoints) });
  const oauth = createOAuthService({ clock, users, sessions, accounts, flows, providerSignIn, configs: oauthConfigs, appUrl: config.appUrl });
  return {
    config,
    logger,
    events,
    audit,
    activity,
    store,
    users,
    sessions,
    devices,
    accessTokens,
    signIn,
    sessionAuth,
    refreshRotation,
    passwords,
    apiKeys,
    admin,
    mail,
    mfa,
    recovery,
    limiter,
    limitKeys,
    accounts,
    oauth,
    emailCodes,
    passkeys,
    passkeySignIn,
  };
}

type BuiltServices = Awaited<ReturnType<typeof createServices>>;
export type Services = BuiltServices;

declare module "./context.js" {
  // The procedures see every service built here, without the procedure layer importing a feature.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- a merge into the declared interface, not a new type
  interface Services extends BuiltServices {}
}
