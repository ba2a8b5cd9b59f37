import type { Clock } from "@gatehouse/store";
import { generateId } from "../../crypto/random.js";
import { USER_AGENT_MAX_LENGTH, type RequestMeta } from "../../request-meta.js";
import type { AccessTokens } from "../../tokens/access-token.js";
import type { UserRecord } from "../users/user-record.js";
import type { RefreshTokenStore } from "./refresh-token-store.js";
import type { SessionRecord, SessionStore } from "./session-store.js";

export interface IssuedTokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

/** A session started or renewed: what goes on the wire (see transport.ts). */
export interface SignedIn {
  user: UserRecord;
  session: SessionRecord;
  tokens: IssuedTokens;
  /** Set on signup and login: the device credential to hand back (new, or the one presented). */
  deviceToken?: string;
}

export interface TokenIssuerDeps {
  clock: Clock;
  accessTokens: AccessTokens;
  sessions: SessionStore;
  refreshTokens: RefreshTokenStore;
  refreshIdleTtlSeconds: number;
  refreshAbsoluteTtlSeconds: number;
}

/** Starts sessions and mints the token pairs that belong to them. */
export function createTokenIssuer(deps: TokenIssuerDeps) {
  const { clock, accessTokens, sessions, refreshTokens } = deps;

  // Idle expiry moves with each rotation but never past the session's absolute end.
  const idleExpiryFor = (session: SessionRecord) => Math.min(clock() + deps.refreshIdleTtlSeconds * 1000, session.absoluteExpiresAt);

  const accessFor = (user: UserRecord, session: SessionRecord) =>
    accessTokens.sign({ userId: user.id, sessionId: session.id, role: user.role, authTime: session.authTime });

  return {
    idleExpiryFor,
    accessFor,

    /** `deviceId`: the device credential the login was made with or issued, if any. */
    async startSession(user: UserRecord, meta: RequestMeta, deviceId: string | null = null): Promise<{ session: SessionRecord; tokens: IssuedTokens }> {
      const now = clock();
      const session: SessionRecord = {
        id: generateId(),
        userId: user.id,
        generation: user.sessionGeneration,
        createdAt: now,
        lastUsedAt: now,
        absoluteExpiresAt: now + deps.refreshAbsoluteTtlSeconds * 1000,
        authTime: Math.floor(now / 1000),
        ip: meta.ip,
        userAgent: meta.userAgent.slice(0, USER_AGENT_MAX_LENGTH),
        revokedAt: null,
        revokedReason: null,
        deviceId,
      };
      await sessions.create(session);
      const idleExpiresAt = idleExpiryFor(session);
      const refreshToken = await refreshTokens.issue(session.id, user.id, idleExpiresAt);
      return { session, tokens: await this.pair(user, session, refreshToken, idleExpiresAt) };
    },

    async pair(user: UserRecord, session: SessionRecord, refreshToken: string, idleExpiresAt: number): Promise<IssuedTokens> {
      return {
        accessToken: await accessFor(user, session),
        expiresIn: accessTokens.ttlSeconds,
        refreshToken,
        refreshExpiresIn: Math.max(0, Math.floor((idleExpiresAt - clock()) / 1000)),
      };
    },
  };
}

export type TokenIssuer = ReturnType<typeof createTokenIssuer>;
