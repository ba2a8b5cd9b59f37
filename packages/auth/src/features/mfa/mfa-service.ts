import type { Clock, Store } from "@gatehouse/store";
import { createOneTimeTokens } from "../../crypto/one-time-tokens.js";
import { sha256Hex } from "../../crypto/random.js";
import { deriveSubKey } from "../../crypto/sub-keys.js";
import { open, seal } from "../../crypto/sealed.js";
import { AuthError } from "../../errors.js";
import type { RequestMeta } from "../../request-meta.js";
import type { Events } from "../../events/events.js";
import type { Limit } from "../../rate-limit/limit-rules.js";
import { hitSlidingWindow } from "../../rate-limit/sliding-window.js";
import type { SignInMethod } from "../auth/sign-in-method.js";
import type { UserRecord } from "../users/user-record.js";
import type { UserStore } from "../users/user-store.js";
import { generateRecoveryCodes, hashRecoveryCode, looksLikeRecoveryCode } from "./recovery-codes.js";
import { decodeTotpSecret, encodeTotpSecret, generateTotpSecret, matchTotpStep, totpUri } from "./totp.js";

const SEAL_PURPOSE = "gatehouse totp secret";
const PENDING_SETUP_TTL_MS = 10 * 60_000;
export const MFA_TOKEN_TTL_MS = 5 * 60_000;

/** What a password-verified login waits on until its second factor arrives. */
export interface MfaChallenge {
  userId: string;
  /** The user's generation when the password was checked: a reset or lock since voids the challenge. */
  generation: number;
  deviceToken?: string | undefined;
  /** How the first step proved who it is (password, emailed code), for the login_success event. */
  method?: SignInMethod | undefined;
}

export interface MfaServiceDeps {
  store: Store;
  clock: Clock;
  events: Events;
  users: UserStore;
  /** Secret the TOTP seeds are sealed under (derived from server configuration). */
  dataKey: string;
  attemptsLimit: Limit;
}

export function createMfaService(deps: MfaServiceDeps) {
  const { store, clock, events, users, dataKey } = deps;
  const challenges = createOneTimeTokens<MfaChallenge>(store, "mfa-login", MFA_TOKEN_TTL_MS);
  const recoveryKey = deriveSubKey(dataKey, "recovery codes");
  const pendingKey = (userId: string) => `mfa-pending:${userId}`;

  /** Guesses are limited per mfaToken and per user (CONTRACT §5 mfa.attempts). */
  async function limitAttempts(subjects: string[], request: RequestMeta): Promise<void> {
    const decisions = await Promise.all(subjects.map((s) => hitSlidingWindow(store, clock, `mfa.attempts:${s}`, deps.attemptsLimit)));
    const refused = decisions.filter((d) => !d.allowed);
    if (refused.length) {
      const retryAfterSeconds = Math.max(...refused.map((d) => d.retryAfterSeconds));
      events.warn("rate_limited", { rule: "mfa.attempts", key: subjects.length > 1 ? "mfa_token" : "user", request });
      throw new AuthError("rate_limited", { message: `Too many attempts; try again in ${retryAfterSeconds} s.`, retryAfterSeconds });
    }
  }

  /**
   * Accepts a current TOTP code (never one already used) or an unused recovery
   * code, consuming it in the same atomic update of the user record; throws
   * `mfa_invalid` otherwise, saying so when the code is right but spent.
   */
  async function consumeCode(user: UserRecord, code: string): Promise<void> {
    const mfa = user.mfa;
    if (!mfa) throw new AuthError("mfa_invalid");
    // Sealed to the user: a seed copied onto another account does not open.
    const secret = open(mfa.sealedSecret, dataKey, `${SEAL_PURPOSE} ${user.id}`);
    // Recovery codes work even if the seed cannot be opened (a changed data key).
    const step = secret ? matchTotpStep(decodeTotpSecret(secret), code.trim(), clock()) : undefined;
    const recoveryHash = step === undefined && looksLikeRecoveryCode(code) ? hashRecoveryCode(code, recoveryKey) : undefined;
    if (step === undefined && recoveryHash === undefined) throw new AuthError("mfa_invalid");
    // Written inside the update callback, which the compiler cannot follow: hence the widening cast.
    let verdict = "invalid" as "accepted" | "reused" | "invalid";
    await users.update(user.id, (current) => {
      verdict = "invalid";
      const state = current.mfa;
      if (!state) return current;
      if (step !== undefined) {
        // RFC 6238 §5.2: a code is accepted once; the person just needs the next one.
        if (step <= state.lastStep) {
          verdict = "reused";
          return current;
        }
        verdict = "accepted";
        return { ...current, mfa: { ...state, lastStep: step } };
      }
      if (!state.recoveryCodeHashes.includes(recoveryHash!)) return current;
      verdict = "accepted";
      return { ...current, mfa: { ...state, recoveryCodeHashes: state.recoveryCodeHashes.filter((h) => h !== recoveryHash) } };
    });
    if (verdict === "reused") throw new AuthError("mfa_invalid", { message: "This code was already used. Wait for the next code from your authenticator app." });
    if (verdict !== "accepted") throw new AuthError("mfa_invalid");
  }

  return {
    /** A code offered to confirm an action (step-up): limited like login guesses, per user; throws `mfa_invalid`. */
    async verifyCode(user: UserRecord, code: string, request: RequestMeta): Promise<void> {
      await limitAttempts([`user:${user.id}`], request);
      await consumeCode(user, code);
    },

    async setup(user: UserRecord): Promise<{ secret: string; otpauthUrl: string }> {
      if (user.mfa) throw new AuthError("forbidden", { message: "Two-factor authentication is already on." });
      const secret = generateTotpSecret();
      // Pending until a code proves the authenticator app has it.
      await store.set(pendingKey(user.id), seal(encodeTotpSecret(secret), dataKey, `${SEAL_PURPOSE} ${user.id}`), PENDING_SETUP_TTL_MS);
      return { secret: encodeTotpSecret(secret), otpauthUrl: totpUri(user.email, secret) };
    },

    async enable(user: UserRecord, code: string, request: RequestMeta): Promise<string[]> {
      await limitAttempts([`settings:${user.id}`], request);
      const sealedSecret = await store.get<string>(pendingKey(user.id));
      const secret = sealedSecret ? open(sealedSecret, dataKey, `${SEAL_PURPOSE} ${user.id}`) : undefined;
      const step = secret ? matchTotpStep(decodeTotpSecret(secret), code.trim(), clock()) : undefined;
      if (step === undefined) throw new AuthError("mfa_invalid");
      const recoveryCodes = generateRecoveryCodes();
      await users.update(user.id, (u) => ({ ...u, mfaEnabled: true, mfa: { sealedSecret: sealedSecret!, lastStep: step, recoveryCodeHashes: recoveryCodes.map((c) => hashRecoveryCode(c, recoveryKey)) } }));
      await store.delete(pendingKey(user.id));
      events.info("mfa_enabled", { userId: user.id, request });
      return recoveryCodes;
    },

    async disable(user: UserRecord, code: string, request: RequestMeta): Promise<void> {
      await limitAttempts([`settings:${user.id}`], request);
      await consumeCode(user, code);
      await users.update(user.id, (u) => ({ ...u, mfaEnabled: false, mfa: null }));
      events.info("mfa_disabled", { userId: user.id, request });
    },

    issueChallenge: (challenge: MfaChallenge) => challenges.issue(challenge),

    /** The second step of a login: the user whose challenge this code answers. */
    async answerChallenge(mfaToken: string, code: string, request: RequestMeta): Promise<{ user: UserRecord; challenge: MfaChallenge }> {
      const challenge = await challenges.peek(mfaToken);
      if (!challenge) throw new AuthError("mfa_invalid", { message: "The sign-in attempt expired; sign in again." });
      await limitAttempts([`token:${sha256Hex(mfaToken)}`, `user:${challenge.userId}`], request);
      const user = await users.get(challenge.userId);
      const expired = () => new AuthError("mfa_invalid", { message: "The sign-in attempt expired; sign in again." });
      if (!user || user.sessionGeneration !== challenge.generation || user.disabledAt !== null) throw expired();
      // Single use: the challenge is redeemed before the code is spent, so a lost race burns no code.
      if (!(await challenges.take(mfaToken))) throw expired();
      try {
        await consumeCode(user, code);
      } catch (error) {
        await challenges.restore(mfaToken, challenge);
        throw error;
      }
      return { user, challenge };
    },
  };
}

export type MfaService = ReturnType<typeof createMfaService>;
