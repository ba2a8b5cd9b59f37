import type { Clock } from "@gatehouse/store";
import { AuthError } from "../../errors.js";
import type { Events } from "../../events/events.js";
import { NO_PASSWORD_HASH } from "../../passwords/hasher.js";
import type { Limiter } from "../../rate-limit/limiter.js";
import type { RequestMeta } from "../../request-meta.js";
import type { AccountsService } from "../accounts/accounts-service.js";
import type { IdentityStore, LinkedIdentity } from "../accounts/identity-store.js";
import type { LoginResult, SignInService } from "../sign-in/sign-in-service.js";
import type { KnownIps } from "../sign-in/known-ips.js";
import { lockKeyOf, lockSubjectOf } from "../sign-in/credential-check.js";
import type { SignInMethod } from "../sign-in/sign-in-method.js";
import { emailSchema } from "../sign-in/schema.js";
import type { DeviceStore } from "../devices/device-store.js";
import type { UserRecord } from "../users/user-record.js";
import type { UserStore } from "../users/user-store.js";
import type { ProviderIdentity } from "./providers/provider-client.js";

export interface ProviderSignInDeps {
  clock: Clock;
  events: Events;
  users: UserStore;
  devices: DeviceStore;
  identities: IdentityStore;
  accounts: AccountsService;
  signIn: SignInService;
  limiter: Limiter;
  knownIps: KnownIps;
  /** Mails a confirmation link (a new account whose address the provider did not verify, when verification is required). */
  sendVerification: (user: UserRecord, request: RequestMeta) => void;
  requireVerifiedEmail: boolean;
}

/**
 * Who a provider identity signs in as: the account it is linked to; else the
 * account with its address, linked on the spot only when the provider and the
 * account both say the address is verified (otherwise `link_required`); else a
 * new account without a password, verified if the provider verified it. Then
 * the same end as a password sign-in (lockout, disabled, unverified, TOTP).
 */
export function createProviderSignIn(deps: ProviderSignInDeps) {
  const { clock, events, users, identities, accounts, signIn, limiter } = deps;

  const linkRecord = (provider: string, identity: ProviderIdentity): LinkedIdentity => ({
    provider,
    subject: identity.subject,
    email: identity.email ?? null,
    linkedAt: clock(),
  });

  /**
   * A provider sign-in checks no password, but an email or device locked by
   * failed credential checks is locked for every way in: the check is counted and at
   * once handed back, since nothing was guessed.
   */
  async function assertNotLocked(user: UserRecord, deviceId: string | undefined, method: string, request: RequestMeta): Promise<void> {
    try {
      await (await limiter.reserve("login.lockout", [lockKeyOf(lockSubjectOf(deviceId, user.email))])).released();
    } catch (error) {
      events.emit("login_failed", { reason: "locked", method, userId: user.id, request });
      throw error;
    }
  }

  async function createAccount(provider: string, identity: ProviderIdentity & { email: string }, request: RequestMeta): Promise<UserRecord | undefined> {
    const user = await users.create({
      email: identity.email,
      name: identity.name ?? null,
      role: "user",
      emailVerified: identity.emailVerified,
      mfaEnabled: false,
      passwordHash: NO_PASSWORD_HASH,
      createdAt: clock(),
    });
    if (!user) return undefined;
    await deps.knownIps.note(user.id, request.ip);
    await accounts.link(user, linkRecord(provider, identity), "signup", request);
    events.emit("signup", { userId: user.id, email: user.email, method: `oauth:${provider}`, request });
    if (deps.requireVerifiedEmail && !user.emailVerified) deps.sendVerification(user, request);
    return user;
  }

  /** The account the identity signs in to, linking or creating it as the rules allow. */
  async function accountFor(provider: string, identity: ProviderIdentity, request: RequestMeta, retried = false): Promise<UserRecord> {
    const linkedId = await identities.findUserId(provider, identity.subject);
    const linked = linkedId === undefined ? undefined : await users.get(linkedId);
    if (linked) {
      await identities.noteEmail(linked.id, { provider, subject: identity.subject, email: identity.email ?? null });
      return linked;
    }
    const email = emailSchema.safeParse(identity.email);
    if (!email.success) {
      events.emit("login_failed", { reason: "oauth_failed", provider, detail: "no_email", request });
      throw new AuthError("oauth_failed", { message: "The provider did not share an email address, so no account can be found or made for it." });
    }
    const existing = await users.findByEmail(email.data);
    if (!existing) {
      const created = await createAccount(provider, { ...identity, email: email.data }, request);
      if (created) return created;
      // Another sign-in took the address a moment ago (the same person, twice): look again, once.
      if (!retried) return accountFor(provider, identity, request, true);
      throw new AuthError("link_required");
    }
    if (existing.disabledAt !== null) return existing;
    if (!identity.emailVerified || !existing.emailVerified) {
      events.emit("login_failed", { reason: "link_required", provider, userId: existing.id, providerEmailVerified: identity.emailVerified, request });
      throw new AuthError("link_required", {
        message:
          "An account with this email already exists and cannot be linked automatically: sign in to it (or reset its password), then link this provider from your account.",
      });
    }
    await accounts.link(existing, linkRecord(provider, identity), "verified_email", request);
    return existing;
  }

  return {
    /** `deviceToken`: an app's device credential from an earlier sign-in (keeps it out of a lockout others cause). */
    async signIn(provider: string, identity: ProviderIdentity, request: RequestMeta, deviceToken?: string): Promise<LoginResult> {
      const user = await accountFor(provider, identity, request);
      const device = await deps.devices.find(deviceToken, user.email);
      const method: SignInMethod = `oauth:${provider}`;
      await assertNotLocked(user, device?.id, method, request);
      return signIn.completeSignIn(user, { method, askMfa: true, device, deviceToken: device ? deviceToken : undefined }, request);
    },
  };
}

export type ProviderSignIn = ReturnType<typeof createProviderSignIn>;
