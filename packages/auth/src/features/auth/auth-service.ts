import type { Clock } from "@gatehouse/store";
import { AuthError } from "../../errors.js";
import type { Events } from "../../events/events.js";
import { findPasswordProblem, PASSWORD_PROBLEM_MESSAGES } from "../../passwords/policy.js";
import type { PasswordHasher } from "../../passwords/hasher.js";
import { USER_AGENT_MAX_LENGTH, type RequestMeta } from "../../request-meta.js";
import type { AccessClaims, AccessTokens } from "../../tokens/access-token.js";
import type { RefreshTokenStore } from "../sessions/refresh-token-store.js";
import { isSessionLive, type SessionRecord, type SessionStore } from "../sessions/session-store.js";
import type { UserRecord } from "../users/user-record.js";
import type { UserStore } from "../users/user-store.js";
import { API_KEY_PATTERN } from "../api-keys/key-format.js";
import type { DeviceRecord, DeviceStore } from "../devices/device-store.js";
import type { MfaService } from "../mfa/mfa-service.js";
import type { KnownIps } from "./known-ips.js";
import { lockSubjectOf, type CheckCredential, type CheckContext, type LockSubject } from "./credential-check.js";
import type { SignInMethod } from "./sign-in-method.js";
import type { IssuedTokens, TokenIssuer } from "./token-issuer.js";

export interface AuthServiceDeps {
  clock: Clock;
  events: Events;
  users: UserStore;
  sessions: SessionStore;
  refreshTokens: RefreshTokenStore;
  accessTokens: AccessTokens;
  issuer: TokenIssuer;
  passwords: PasswordHasher;
  devices: DeviceStore;
  checkCredential: CheckCredential;
  mfa: MfaService;
  knownIps: KnownIps;
  refreshReuseGraceSeconds: number;
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

export interface SignedIn {
  user: UserRecord;
  session: SessionRecord;
  tokens: IssuedTokens;
  /** Set on signup and login: the device credential to hand back (new, or the one presented). */
  deviceToken?: string;
}

export interface Authenticated {
  user: UserRecord;
  session: SessionRecord;
  claims: AccessClaims;
}

export function createAuthService(deps: AuthServiceDeps) {
  const { clock, events, users, sessions, refreshTokens, accessTokens, issuer, passwords, devices, checkCredential, mfa } = deps;

  /** `email`: the account's address; a password equal to it or its local part is refused. */
  function assertStrongPassword(password: string, email: string): void {
    const problem = findPasswordProblem(password, email);
    if (problem) throw new AuthError("weak_password", { message: PASSWORD_PROBLEM_MESSAGES[problem] });
  }

  /** With verification required, an unconfirmed address gets nothing but the way to confirm it. */
  function assertVerifiedIfRequired(user: UserRecord): void {
    if (deps.requireVerifiedEmail && !user.emailVerified) throw new AuthError("email_not_verified");
  }

  /** True when this call ended the session (an already revoked one is not ended again, nor recorded again). */
  async function revokeSession(session: SessionRecord, reason: string, request: RequestMeta): Promise<boolean> {
    const revoked = await sessions.revoke(session.id, reason);
    if (revoked) events.info("token_revoked", { userId: session.userId, sessionId: session.id, reason, request });
    return revoked !== undefined;
  }

  /** Loads the session and user behind a refresh token, or refuses with `refresh_invalid`. */
  async function liveSessionOf(record: { sessionId: string; userId: string }) {
    const [session, user] = await Promise.all([sessions.get(record.sessionId), users.get(record.userId)]);
    if (!session || !user || user.disabledAt !== null || !isSessionLive(session, user.sessionGeneration, clock())) {
      throw new AuthError("refresh_invalid");
    }
    assertVerifiedIfRequired(user);
    return { session, user };
  }

  /**
   * Ends every session of the user at once, on every instance, by bumping the
   * user's generation: one write, however many sessions there are. `keep` (the
   * caller's own session) is carried over into the new generation.
   */
  async function endAllSessions(userId: string, reason: string, request: RequestMeta, keep?: SessionRecord): Promise<void> {
    const updated = await users.update(userId, (u) => ({ ...u, sessionGeneration: u.sessionGeneration + 1 }));
    if (!updated) return;
    if (keep) await sessions.carryOver(keep, updated.sessionGeneration);
    const ended = await sessions.countGeneration(userId, updated.sessionGeneration - 1);
    events.info("token_revoked", { userId, reason, sessions: ended, request });
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
      events.info("login_failed", { reason: `${purpose}_wrong_password`, userId: user.id, request });
      throw new AuthError("invalid_credentials", { message: "The password is incorrect." });
    }
  }

  /** Everything after the credentials checked out: device credential, session, tokens. */
  async function completeLogin(user: UserRecord, device: DeviceRecord | undefined, presentedDeviceToken: string | undefined, meta: RequestMeta, method: SignInMethod): Promise<SignedIn> {
    const credential = device && presentedDeviceToken ? { token: presentedDeviceToken, id: device.id } : await devices.issue(user);
    const { session, tokens } = await issuer.startSession(user, meta, credential.id);
    events.info("login_success", { userId: user.id, sessionId: session.id, method, knownDevice: Boolean(device), mfa: Boolean(user.mfa), request: meta });
    if (await deps.knownIps.note(user.id, meta.ip)) events.warn("login_new_ip", { userId: user.id, sessionId: session.id, request: meta });
    return { user, session, tokens, deviceToken: credential.token };
  }

  /** The session a logout's credentials name, even an ended one; refuses credentials that name none. */
  async function sessionNamedBy({ accessToken, refreshToken }: { accessToken?: string | undefined; refreshToken?: string | undefined }): Promise<string> {
    if (accessToken) {
      // An expired token still names the session its holder wants ended.
      const result = await accessTokens.verify(accessToken, { ignoreExpiry: true });
      if (result.ok) return result.claims.sid;
    }
    if (refreshToken) {
      const found = await refreshTokens.lookup(refreshToken);
      if (found.kind !== "unknown") return found.record.sessionId;
    }
    if (accessToken) {
      throw new AuthError("token_invalid", {
        message: API_KEY_PATTERN.test(accessToken)
          ? "An API key has no session to log out; revoke the key with apiKeys.revoke."
          : "The access token was not issued by this server (malformed, or signed with another key): nothing was logged out. Send the session's access token as Authorization: Bearer <accessToken>.",
      });
    }
    if (refreshToken) throw new AuthError("refresh_invalid", { message: "The refresh token is not known here (never issued, or its session ended long ago): nothing was logged out." });
    throw new AuthError("token_invalid", {
      message: "No session was named: send its access token as Authorization: Bearer <accessToken>, or in token mode (X-Auth-Mode: token) its refresh token as {\"refreshToken\": …}.",
    });
  }

  /**
   * Whose failures count toward the lockout of a sign-in to `email`: a device
   * that signed in to this account before answers for its own failures only, so
   * the owner is not locked out by someone else's guessing against the email.
   */
  async function signInSubject(email: string, deviceToken: string | undefined, found?: Promise<DeviceRecord | undefined>): Promise<{ device: DeviceRecord | undefined; subject: LockSubject }> {
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
      events.info("login_failed", { reason: "account_disabled", method: how.method, userId: user.id, request: meta });
      throw new AuthError("account_disabled");
    }
    if (deps.requireVerifiedEmail && !user.emailVerified) {
      events.info("login_failed", { reason: "email_not_verified", method: how.method, userId: user.id, request: meta });
      throw new AuthError("email_not_verified");
    }
    // Two-factor users get no tokens yet: only a short-lived, single-use challenge.
    if (how.askMfa && user.mfa) {
      const deviceToken = how.device ? how.deviceToken : undefined;
      return { mfaRequired: true, mfaToken: await mfa.issueChallenge({ userId: user.id, generation: user.sessionGeneration, deviceToken, method: how.method }) };
    }
    return completeLogin(user, how.device, how.deviceToken, meta, how.method);
  }

  return {
    assertStrongPassword,
    assertVerifiedIfRequired,
    revokeSession,
    endAllSessions,
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
      events.info("signup", { userId: user.id, email: user.email, sessionId: session.id, request: meta });
      return { user, session, tokens, deviceToken: device.token };
    },

    /** `device`: the lookup of `deviceToken` for this email when the caller made it already (the login's rate-limit key does). */
    async login(input: { email: string; password: string; deviceToken?: string | undefined; device?: Promise<DeviceRecord | undefined> }, meta: RequestMeta): Promise<LoginResult> {
      const { device, subject } = await signInSubject(input.email, input.deviceToken, input.device);
      const user = await users.findByEmail(input.email);
      // Unknown emails cost a full verification too: same status, body and timing.
      if (!(await checkPassword(subject, input.password, user, { userId: user?.id, method: "password", request: meta })) || !user) {
        events.info("login_failed", { reason: user ? "wrong_password" : "unknown_email", method: "password", email: input.email, userId: user?.id, request: meta });
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
    async reauthenticate(caller: { user: UserRecord; session: SessionRecord }, input: { password: string; code?: string | undefined }, meta: RequestMeta): Promise<{ user: UserRecord; accessToken: string; expiresIn: number }> {
      await confirmPassword(caller, input.password, "reauth", meta);
      if (caller.user.mfa) {
        if (!input.code) throw new AuthError("mfa_invalid");
        await mfa.verifyCode(caller.user, input.code, meta);
      }
      const authTime = Math.floor(clock() / 1000);
      const session = (await sessions.update(caller.session.id, (s) => ({ ...s, authTime }))) ?? { ...caller.session, authTime };
      const user = (await users.get(caller.user.id)) ?? caller.user;
      events.info("reauthenticated", { userId: user.id, sessionId: session.id, request: meta });
      return { user, accessToken: await issuer.accessFor(user, session), expiresIn: accessTokens.ttlSeconds };
    },

    async refresh(token: string, meta: RequestMeta): Promise<SignedIn> {
      const found = await refreshTokens.lookup(token);
      if (found.kind === "unknown") throw new AuthError("refresh_invalid");
      const { session, user } = await liveSessionOf(found.record);
      const graceMs = deps.refreshReuseGraceSeconds * 1000;

      const answerReplay = async (rotatedAt: number, successor: string | undefined): Promise<SignedIn> => {
        // Two tabs refreshing at once: the late one gets the same successor.
        if (successor && clock() - rotatedAt <= graceMs) {
          return { user, session, tokens: await issuer.pair(user, session, successor, issuer.idleExpiryFor(session)) };
        }
        await revokeSession(session, "refresh_token_reuse", meta);
        events.warn("refresh_token_reuse", { userId: user.id, sessionId: session.id, request: meta });
        throw new AuthError("refresh_reused");
      };

      if (found.kind === "rotated") return answerReplay(found.rotatedAt, found.successor);
      if (found.record.idleExpiresAt <= clock()) throw new AuthError("refresh_invalid");

      // The successor is stored before the rotation is claimed, so whoever reads
      // the claim can use the successor at once; a losing caller discards its own.
      const idleExpiresAt = issuer.idleExpiryFor(session);
      const successor = await refreshTokens.issue(session.id, user.id, idleExpiresAt);
      const claim = await refreshTokens.claimRotation(token, successor, found.record.idleExpiresAt);
      if (!claim.won) {
        await refreshTokens.discard(successor);
        return answerReplay(claim.rotatedAt, claim.successor);
      }
      const now = clock();
      const updated = (await sessions.update(session.id, (s) => ({ ...s, lastUsedAt: now, ip: meta.ip, userAgent: meta.userAgent.slice(0, USER_AGENT_MAX_LENGTH) }))) ?? session;
      return { user, session: updated, tokens: await issuer.pair(user, updated, successor, idleExpiresAt) };
    },

    /** Verifies a bearer access token and checks, in the store, that its session and user still stand. */
    async authenticate(token: string): Promise<Authenticated> {
      const result = await accessTokens.verify(token);
      if (!result.ok) throw new AuthError(result.reason);
      const { claims } = result;
      const [session, user] = await Promise.all([sessions.get(claims.sid), users.get(claims.sub)]);
      if (!user) throw new AuthError("token_invalid");
      if (!session || session.userId !== user.id || user.disabledAt !== null || !isSessionLive(session, user.sessionGeneration, clock())) {
        throw new AuthError("token_revoked");
      }
      // The role comes from the store, not the token: a demotion applies on the next call.
      return { user, session, claims };
    },

    /**
     * Ends the session behind whichever credential is presented. A session that
     * has already ended is not an error; a request that names no session of
     * ours (no credential, a malformed or foreign token) is refused, so the
     * client does not believe it logged out.
     */
    async logout(credentials: { accessToken?: string | undefined; refreshToken?: string | undefined }, meta: RequestMeta): Promise<void> {
      const session = await sessions.get(await sessionNamedBy(credentials));
      // Logging out an ended session changes nothing, so nothing is recorded.
      if (!session || !(await revokeSession(session, "logout", meta))) return;
      events.info("logout", { userId: session.userId, sessionId: session.id, request: meta });
    },

    async logoutAll(user: UserRecord, meta: RequestMeta): Promise<void> {
      await endAllSessions(user.id, "logout_all", meta);
      events.info("logout", { scope: "all", userId: user.id, request: meta });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
