import type { Clock, Store } from "@gatehouse/store";
import { generateSecretToken } from "../../crypto/random.js";
import { open, seal } from "../../crypto/sealed.js";
import { STORE_KEYS } from "../../store-keys.js";

interface RefreshTokenRecord {
  sessionId: string;
  userId: string;
  idleExpiresAt: number;
}

interface RotationRecord {
  rotatedAt: number;
  /** The successor, sealed under the rotated token itself: only its holder can open it. */
  sealedSuccessor: string;
}

export type RefreshLookup =
  | { kind: "unknown" }
  | { kind: "active"; record: RefreshTokenRecord }
  | { kind: "rotated"; record: RefreshTokenRecord; rotatedAt: number; successor: string | undefined };

const SEAL_PURPOSE = "gatehouse refresh successor";
// Refresh tokens are stored only by their hash.
const tokenKey = STORE_KEYS.refreshToken;
const rotationKey = STORE_KEYS.rotatedRefreshToken;

export function createRefreshTokenStore(store: Store, clock: Clock) {
  return {
    /** Issues a new opaque token (256 bits) for a session. */
    async issue(sessionId: string, userId: string, idleExpiresAt: number): Promise<string> {
      const token = generateSecretToken(32);
      await store.set<RefreshTokenRecord>(tokenKey(token), { sessionId, userId, idleExpiresAt }, Math.max(idleExpiresAt - clock(), 1));
      return token;
    },

    async lookup(token: string): Promise<RefreshLookup> {
      const [record, rotation] = await Promise.all([store.get<RefreshTokenRecord>(tokenKey(token)), store.get<RotationRecord>(rotationKey(token))]);
      if (!record) return { kind: "unknown" };
      if (!rotation) return { kind: "active", record };
      return { kind: "rotated", record, rotatedAt: rotation.rotatedAt, successor: open(rotation.sealedSuccessor, token, SEAL_PURPOSE) };
    },

    /**
     * Marks `token` as rotated to `successor`. Exactly one of any number of
     * concurrent callers wins; the others get the winner's rotation back.
     * The mark lives as long as the rotated token would have, so a replay after
     * the grace period is still recognised as reuse.
     */
    async claimRotation(
      token: string,
      successor: string,
      idleExpiresAt: number,
    ): Promise<{ won: true } | { won: false; rotatedAt: number; successor: string | undefined }> {
      const rotatedAt = clock();
      const mark: RotationRecord = { rotatedAt, sealedSuccessor: seal(successor, token, SEAL_PURPOSE) };
      if (await store.setIfAbsent(rotationKey(token), mark, Math.max(idleExpiresAt - clock(), 1))) return { won: true };
      const winner = await store.get<RotationRecord>(rotationKey(token));
      return { won: false, rotatedAt: winner?.rotatedAt ?? rotatedAt, successor: winner ? open(winner.sealedSuccessor, token, SEAL_PURPOSE) : undefined };
    },

    async discard(token: string): Promise<void> {
      await store.delete(tokenKey(token));
    },
  };
}

export type RefreshTokenStore = ReturnType<typeof createRefreshTokenStore>;
