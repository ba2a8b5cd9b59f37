import type { Clock } from "@gatehouse/store";
import { AuthError } from "../../errors.js";
import type { Events } from "../../events/events.js";
import type { RequestMeta } from "../../request-meta.js";
import type { AccessClaims, AccessTokens } from "../../tokens/access-token.js";
import { API_KEY_PATTERN } from "../api-keys/key-format.js";
import type { UserRecord } from "../users/user-record.js";
import type { UserStore } from "../users/user-store.js";
import type { RefreshTokenStore } from "./refresh-token-store.js";
import { isSessionLive, type SessionRecord, type SessionStore } from "./session-store.js";

export interface SessionAuthDeps {
  clock: Clock;
  events: Events;
  users: UserStore;
  sessions: SessionStore;
  refreshTokens: RefreshTokenStore;
  accessTokens: AccessTokens;
  requireVerifiedEmail: boolean;
}

export interface Authenticated {
  user: UserRecord;
  session: SessionRecord;
  claims: AccessClaims;
}

/** What a session's tokens are worth on each call, and how sessions end: one, or all of a user's. */
export function createSessionAuth(deps: SessionAuthDeps) {
  const { clock, events, users, sessions, refreshTokens, accessTokens } = deps;

  /** With verification required, an unconfirmed address gets nothing but the way to confirm it. */
  function assertVerifiedIfRequired(user: UserRecord): void {
    if (deps.requireVerifiedEmail && !user.emailVerified) throw new AuthError("email_not_verified");
  }

  /** True when this call ended the session (an already revoked one is not ended again, nor recorded again). */
  async function revokeSession(session: SessionRecord, reason: string, request: RequestMeta): Promise<boolean> {
    const revoked = await sessions.revoke(session.id, reason);
    if (revoked) events.emit("token_revoked", { userId: session.userId, sessionId: session.id, reason, request });
    return revoked !== undefined;
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
    events.emit("token_revoked", { userId, reason, sessions: ended, request });
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
    if (refreshToken)
      throw new AuthError("refresh_invalid", {
        message: "The refresh token is not known here (never issued, or its session ended long ago): nothing was logged out.",
      });
    throw new AuthError("token_invalid", {
      message:
        'No session was named: send its access token as Authorization: Bearer <accessToken>, or in token mode (X-Auth-Mode: token) its refresh token as {"refreshToken": …}.',
    });
  }

  return {
    assertVerifiedIfRequired,
    revokeSession,
    endAllSessions,

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
      events.emit("logout", { userId: session.userId, sessionId: session.id, request: meta });
    },

    async logoutAll(user: UserRecord, meta: RequestMeta): Promise<void> {
      await endAllSessions(user.id, "logout_all", meta);
      events.emit("logout", { scope: "all", userId: user.id, request: meta });
    },
  };
}

export type SessionAuth = ReturnType<typeof createSessionAuth>;
