import type { Clock } from "@gatehouse/store";
import { AuthError } from "../../errors.js";
import type { Events } from "../../events/events.js";
import { USER_AGENT_MAX_LENGTH, type RequestMeta } from "../../request-meta.js";
import type { UserStore } from "../users/user-store.js";
import type { RefreshTokenStore } from "./refresh-token-store.js";
import type { SessionAuth } from "./session-auth.js";
import { isSessionLive, type SessionStore } from "./session-store.js";
import type { SignedIn, TokenIssuer } from "./token-issuer.js";

export interface RefreshRotationDeps {
  clock: Clock;
  events: Events;
  users: UserStore;
  sessions: SessionStore;
  refreshTokens: RefreshTokenStore;
  issuer: TokenIssuer;
  sessionAuth: SessionAuth;
  refreshReuseGraceSeconds: number;
}

/**
 * `auth.refresh`: each refresh token is good for one rotation. The successor is
 * claimed atomically in the refresh-token store; a token presented again after
 * its rotation is a replay, answered with the same successor within the grace
 * (two tabs refreshing at once) and otherwise taken as theft: the session ends.
 */
export function createRefreshRotation(deps: RefreshRotationDeps) {
  const { clock, events, users, sessions, refreshTokens, issuer, sessionAuth } = deps;

  /** Loads the session and user behind a refresh token, or refuses with `refresh_invalid`. */
  async function liveSessionOf(record: { sessionId: string; userId: string }) {
    const [session, user] = await Promise.all([sessions.get(record.sessionId), users.get(record.userId)]);
    if (!session || !user || user.disabledAt !== null || !isSessionLive(session, user.sessionGeneration, clock())) {
      throw new AuthError("refresh_invalid");
    }
    sessionAuth.assertVerifiedIfRequired(user);
    return { session, user };
  }

  return {
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
        await sessionAuth.revokeSession(session, "refresh_token_reuse", meta);
        events.emit("refresh_token_reuse", { userId: user.id, sessionId: session.id, request: meta });
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
      const updated =
        (await sessions.update(session.id, (s) => ({ ...s, lastUsedAt: now, ip: meta.ip, userAgent: meta.userAgent.slice(0, USER_AGENT_MAX_LENGTH) }))) ??
        session;
      return { user, session: updated, tokens: await issuer.pair(user, updated, successor, idleExpiresAt) };
    },
  };
}

export type RefreshRotation = ReturnType<typeof createRefreshRotation>;
