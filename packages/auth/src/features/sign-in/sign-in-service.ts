import type { Clock } from "@gatehouse/store";
import { AuthError } from "../../errors.js";
import type { Events } from "../../events/events.js";
import { findPasswordProblem, PASSWORD_PROBLEM_MESSAGES } from "../../passwords/policy.js";
import type { PasswordHasher } from "../../passwords/hasher.js";
import type { RequestMeta } from "../../request-meta.js";
import type { AccessTokens } from "../../tokens/access-token.js";
import type { DeviceRecord, DeviceStore } from "../devices/device-store.js";
import type { MfaService } from "../mfa/mfa-service.js";
import type { SessionRecord, SessionStore } from "../sessions/session-store.js";
import type { SignedIn, TokenIssuer } from "../sessions/token-issuer.js";
import type { UserRecord } from "../users/user-record.js";
import type { UserStore } from "../users/user-store.js";
import { lockSubjectOf, type CheckCredential, type CheckContext, type LockSubject } from "./credential-check.js";
import type { KnownIps } from "./known-ips.js";
import type { SignInMethod } from "./sign-in-method.js";

export interface SignInServiceDeps {
  clock: Clock;
  events: Events;
  users: UserStore;
  sessions: SessionStore;
  accessTokens: AccessTokens;
  issuer: TokenIssuer;
  passwords: PasswordHasher;
  devices: DeviceStore;
  checkCredential: CheckCredential;
  mfa: MfaService;
  knownIps: KnownIps;
  requireVerifiedEmail: boolean;
}

export type LoginResult = SignedIn | { mfaRequired: true; mfaToken: string };

/** What the credential check of a sign-in hands on to `completeSignIn`. */
export interface SignInCompletion {
  method: SignInMethod;
  /** False when the credential already stands for a second factor (a passkey): no TOTP step. */
  askMfa: boolean;
  device: DeviceRecord | undefined;
  /** The device credential the request presented, handed back when `device` is known. */
  deviceToken: string | undefined;
}

/**
 * Every way into an account ends here: signup, login with a password, the TOTP
 * step, and `completeSignIn` for the other credentials (emailed code, passkey,
 * provider); and step-up, a signed-in user's password asked again.
 */
export function createSignInService(deps: SignInServiceDeps) {
  const { clock, events, users, sessions, accessTokens, issuer, passwords, devices, checkCredential, mfa } = deps;

  /** `email`: the account's address; a password equal to it or its local part is refused. */
  function assertStrongPassword(password: string, email: string): void {
    const problem = findPasswordProblem(password, email);
    if (problem) throw new AuthError("weak_password", { message: PASSWORD_PROBLEM_MESSAGES[problem] });
  }

  /** A password under the credential check; without a user, a dummy hash is verified so unknown emails cost the same. */
  function checkPassword(subject: LockSubject, password: string, user: UserRecord | undefined, context: CheckContext): Promise<boolean> {
    return checkCredential(subject, () => (user ? passwords.verify(password, user.passwordHash) : passwords.verifyDummy(password)), context);
  }

  /**
   * A signed-in user re-entering their password (step-up, password change):
   * guesses count toward the same lockout as logins, so a stolen access token
   * is no faster way to guess the password. A session started on a known
   * device counts toward that device's lockout, so a lock an attacker causes
   * on the email does not refuse the owner's own devices here either.
   */
  async function confirmPassword(caller: { user: UserRecord; session: SessionRecord }, password: string, purpose: string, request: RequestMeta): Promise<void> {
    const { user, session } = caller;
    if (!(await checkPassword(lockSubjectOf(session.deviceId, user.email), password, user, { userId: user.id, request }))) {
      events.emit("login_failed", { reason: `${purpose}_wrong_password`, userId: user.id, request });
      throw new AuthError("invalid_credentials", { message: "The password is incorrect." });
    }
  }

  /** Everything after the credentials checked out: device credential, session, tokens. */
  async function completeLogin(
    user: UserRecord,
    device: DeviceRecord | undefined,
    presentedDeviceToken: string | undefined,
    meta: RequestMeta,
    method: SignInMethod,
  ): Promise<SignedIn> {
    const credential = device && presentedDeviceToken ? { token: presentedDeviceToken, id: device.id } : await devices.issue(user);
    const { session, tokens } = await issuer.startSession(user, meta, credential.id);
    events.emit("login_success", { userId: user.id, sessionId: session.id, method, knownDevice: Boolean(device), mfa: Boolean(user.mfa), request: meta });
    if (await deps.knownIps.note(user.id, meta.ip)) events.emit("login_new_ip", { userId: user.id, sessionId: session.id, request: meta });
    return { user, session, tokens, deviceToken: credential.token };
  }

  /**
   * Whose failures count toward the lockout of a sign-in to `email`: a device
   * that signed in to this account before answers for its own failures only, so
   * the owner is not locked out by someone else's guessing against the email.
   */
  async function signInSubject(
    email: string,
    deviceToken: string | undefined,
    found?: Promise<DeviceRecord | undefined>,
  ): Promise<{ device: DeviceRecord | undefined; subject: LockSubject }> {
    const device = await (found ?? devices.find(deviceToken, email));
    return { device, subject: lockSubjectOf(device?.id, email) };
  }

  /**
   * The end of every sign-in once its credential checked out (a password, an
   * emailed code, a passkey, a provider): the account must be usable, then the
   * TOTP step when the account has it (unless the credential stands for a
   * second factor itself), else the session and its tokens.
   */
  async function completeSignIn(user: UserRecord, how: SignInCompletion & { askMfa: false }, meta: RequestMeta): Promise<SignedIn>;
  async function completeSignIn(user: UserRecord, how: SignInCompletion, meta: RequestMeta): Promise<LoginResult>;
  async function completeSignIn(user: UserRecord, how: SignInCompletion, meta: RequestMeta): Promise<LoginResult> {
    if (user.disabledAt !== null) {
      events.emit("login_failed", { reason: "account_disabled", method: how.method, userId: user.id, request: meta });
      throw new AuthError("account_disabled");
    }
    if (deps.requireVerifiedEmail && !user.emailVerified) {
      events.emit("login_failed", { reason: "email_not_verified", method: how.method, userId: user.id, request: meta });
      throw new AuthError("email_not_verified");
    }
    // Two-factor users get no tokens yet: only a short-lived, single-use challenge.
    if (how.askMfa && user.mfa) {
      const deviceToken = how.device ? how.deviceToken : undefined;
      return {
        mfaRequired: true,
        mfaToken: await mfa.issueChallenge({ userId: user.id, generation: user.sessionGeneration, deviceToken, method: how.method }),
      };
    }
    return completeLogin(user, how.device, how.deviceToken, meta, how.method);
  }

  return {
    assertStrongPassword,
    confirmPassword,
    signInSubject,
    checkCredential,
    completeSignIn,

    async signup(input: { email: string; password: string; name?: string | undefined }, meta: RequestMeta): Promise<SignedIn> {
      assertStrongPassword(input.password, input.email);
      const passwordHash = await passwords.hash(input.password);
      const user = await users.create({
        email: input.email,
        name: input.name ?? null,
        role: "user",
        emailVerified: false,
        mfaEnabled: false,
        passwordHash,
        createdAt: clock(),
      });
      if (!user) throw new AuthError("email_taken");
      await deps.knownIps.note(user.id, meta.ip);
      // The new account's first device: it is exempt from lockout from the start, as after a login.
      const device = await devices.issue(user);
      const { session, tokens } = await issuer.startSession(user, meta, device.id);
      events.emit("signup", { userId: user.id, email: user.email, sessionId: session.id, request: meta });
      return { user, session, tokens, deviceToken: device.token };
    },

    /** `device`: the lookup of `deviceToken` for this email when the caller made it already (the login's rate-limit key does). */
    async login(
      input: { email: string; password: string; deviceToken?: string | undefined; device?: Promise<DeviceRecord | undefined> },
      meta: RequestMeta,
    ): Promise<LoginResult> {
      const { device, subject } = await signInSubject(input.email, input.deviceToken, input.device);
      const user = await users.findByEmail(input.email);
      // Unknown emails cost a full verification too: same status, body and timing.
      if (!(await checkPassword(subject, input.password, user, { userId: user?.id, method: "password", request: meta })) || !user) {
        events.emit("login_failed", {
          reason: user ? "wrong_password" : "unknown_email",
          method: "password",
          email: input.email,
          userId: user?.id,
          request: meta,
        });
        throw new AuthError("invalid_credentials");
      }
      return completeSignIn(user, { method: "password", askMfa: true, device, deviceToken: input.deviceToken }, meta);
    },

    async verifyMfa(input: { mfaToken: string; code: string }, meta: RequestMeta): Promise<SignedIn> {
      const { user, challenge } = await mfa.answerChallenge(input.mfaToken, input.code, meta);
      if (user.disabledAt !== null) throw new AuthError("account_disabled");
      const device = await devices.find(challenge.deviceToken, user.email);
      return completeLogin(user, device, challenge.deviceToken, meta, challenge.method ?? "password");
    },

    /** Step-up: a fresh password (and code, with two-factor on) renews the session's authentication time. */
    async reauthenticate(
      caller: { user: UserRecord; session: SessionRecord },
      input: { password: string; code?: string | undefined },
      meta: RequestMeta,
    ): Promise<{ user: UserRecord; accessToken: string; expiresIn: number }> {
      await confirmPassword(caller, input.password, "reauth", meta);
      if (caller.user.mfa) {
        if (!input.code) throw new AuthError("mfa_invalid");
        await mfa.verifyCode(caller.user, input.code, meta);
      }
      const authTime = Math.floor(clock() / 1000);
      const session = (await sessions.update(caller.session.id, (s) => ({ ...s, authTime }))) ?? { ...caller.session, authTime };
      const user = (await users.get(caller.user.id)) ?? caller.user;
      events.emit("reauthenticated", { userId: user.id, sessionId: session.id, request: meta });
      return { user, accessToken: await issuer.accessFor(user, session), expiresIn: accessTokens.ttlSeconds };
    },
  };
}

export type SignInService = ReturnType<typeof createSignInService>;
