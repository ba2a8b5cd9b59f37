import type { Clock, Store } from "@gatehouse/store";
import { createOneTimeTokens } from "../../crypto/one-time-tokens.js";
import { sha256Hex } from "../../crypto/random.js";
import { deriveSubKey } from "../../crypto/sub-keys.js";
import { open, seal } from "../../crypto/sealed.js";
import { AuthError } from "../../errors.js";
import type { RequestMeta } from "../../request-meta.js";
import type { Events } from "../../events/events.js";
import { checkAttempt } from "../../rate-limit/attempts.js";
import type { Limiter } from "../../rate-limit/limiter.js";
import type { SignInMethod } from "../sign-in/sign-in-method.js";
import type { UserRecord } from "../users/user-record.js";
import type { UserStore } from "../users/user-store.js";
import { generateRecoveryCodes, hashRecoveryCode, looksLikeRecoveryCode } from "./recovery-codes.js";
import { decodeTotpSecret, encodeTotpSecret, generateTotpSecret, matchTotpStep, totpUri } from "./totp.js";
import { STORE_KEYS } from "../../store-keys.js";

const SEAL_PURPOSE = "gatehouse totp secret";
const PENDING_SETUP_TTL_MS = 10 * 60_000;
export const MFA_TOKEN_TTL_MS = 5 * 60_000;

type CodeVerdict = "accepted" | "reused" | "invalid";

const codeRefusal = (verdict: CodeVerdict): AuthError =>
  verdict === "reused"
    ? new AuthError("mfa_invalid", { message: "This code was already used. Wait for the next code from your authenticator app." })
    : new AuthError("mfa_invalid");

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
  limiter: Limiter;
}

export function createMfaService(deps: MfaServiceDeps) {
  const { store, clock, events, users, dataKey } = deps;
  const challenges = createOneTimeTokens<MfaChallenge>(store, clock, STORE_KEYS.mfaChallenge, MFA_TOKEN_TTL_MS);
  const recoveryKey = deriveSubKey(dataKey, "recovery codes");
  const pendingKey = STORE_KEYS.pendingTotpSetup;
  const expired = () => new AuthError("mfa_invalid", { message: "The sign-in attempt expired; sign in again." });

  /**
   * Every code check (CONTRACT §5 mfa.attempts, per mfaToken and per user): the
   * attempt is counted before the code is checked and cleared when it is right,
   * so only wrong codes add up, and guesses sent at once cannot overtake the limit.
   */
  async function checkCodeAttempt(subjects: string[], request: RequestMeta, check: () => Promise<boolean>): Promise<boolean> {
    let reservation;
    try {
      reservation = await deps.limiter.reserve("mfa.attempts", subjects);
    } catch (error) {
      events.emit("rate_limited", { rule: "mfa.attempts", key: subjects.length > 1 ? "mfa_token" : "user", request });
      throw error;
    }
    return (await checkAttempt(reservation, check)).ok;
  }

  /**
   * Accepts a current TOTP code (never one already used) or an unused recovery
   * code, consuming it in the same atomic update of the user record; a right
   * TOTP code whose step was already used is told apart, so the refusal can say so.
   */
  async function consumeCode(user: UserRecord, code: string): Promise<CodeVerdict> {
    const mfa = user.mfa;
    if (!mfa) return "invalid";
    // Sealed to the user: a seed copied onto another account does not open.
    const secret = open(mfa.sealedSecret, dataKey, `${SEAL_PURPOSE} ${user.id}`);
    // Recovery codes work even if the seed cannot be opened (a changed data key).
    const step = secret ? matchTotpStep(decodeTotpSecret(secret), code.trim(), clock()) : undefined;
    const recoveryHash = step === undefined && looksLikeRecoveryCode(code) ? hashRecoveryCode(code, recoveryKey) : undefined;
    if (step === undefined && recoveryHash === undefined) return "invalid";
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
    return verdict;
  }

  /** A code check under `mfa.attempts`; throws `mfa_invalid` (saying when the code was right but spent) unless accepted. */
  async function checkCode(subjects: string[], request: RequestMeta, user: UserRecord, code: string): Promise<void> {
    let verdict: CodeVerdict = "invalid";
    if (!(await checkCodeAttempt(subjects, request, async () => (verdict = await consumeCode(user, code)) === "accepted"))) throw codeRefusal(verdict);
  }

  return {
    /** A code offered to confirm an action (step-up): limited like login guesses, per user; throws `mfa_invalid`. */
    async verifyCode(user: UserRecord, code: string, request: RequestMeta): Promise<void> {
      await checkCode([`user:${user.id}`], request, user, code);
    },

    async setup(user: UserRecord): Promise<{ secret: string; otpauthUrl: string }> {
      if (user.mfa) throw new AuthError("forbidden", { message: "Two-factor authentication is already on." });
      const secret = generateTotpSecret();
      // Pending until a code proves the authenticator app has it.
      await store.set(pendingKey(user.id), seal(encodeTotpSecret(secret), dataKey, `${SEAL_PURPOSE} ${user.id}`), PENDING_SETUP_TTL_MS);
      return { secret: encodeTotpSecret(secret), otpauthUrl: totpUri(user.email, secret) };
    },

    async enable(user: UserRecord, code: string, request: RequestMeta): Promise<string[]> {
      const sealedSecret = await store.get<string>(pendingKey(user.id));
      let step: number | undefined;
      const matched = await checkCodeAttempt([`settings:${user.id}`], request, async () => {
        const secret = sealedSecret ? open(sealedSecret, dataKey, `${SEAL_PURPOSE} ${user.id}`) : undefined;
        step = secret ? matchTotpStep(decodeTotpSecret(secret), code.trim(), clock()) : undefined;
        return step !== undefined;
      });
      const acceptedStep = step;
      if (!matched || acceptedStep === undefined) throw new AuthError("mfa_invalid");
      const recoveryCodes = generateRecoveryCodes();
      const mfaState = { sealedSecret: sealedSecret!, lastStep: acceptedStep, recoveryCodeHashes: recoveryCodes.map((c) => hashRecoveryCode(c, recoveryKey)) };
      // Not on an account whose sessions ended meanwhile (a reset or first confirmation clearing what came before it).
      const enabled = await users.update(user.id, (u) => (u.sessionGeneration === user.sessionGeneration ? { ...u, mfaEnabled: true, mfa: mfaState } : u));
      if (enabled?.mfa !== mfaState) throw new AuthError("token_revoked");
      await store.delete(pendingKey(user.id));
      events.emit("mfa_enabled", { userId: user.id, request });
      return recoveryCodes;
    },

    async disable(user: UserRecord, code: string, request: RequestMeta): Promise<void> {
      await checkCode([`settings:${user.id}`], request, user, code);
      await users.update(user.id, (u) => ({ ...u, mfaEnabled: false, mfa: null }));
      events.emit("mfa_disabled", { userId: user.id, request });
    },

    /** Drops a setup not yet confirmed with a code (the account's second factors are being cleared). */
    async discardPendingSetup(userId: string): Promise<void> {
      await store.delete(pendingKey(userId));
    },

    issueChallenge: (challenge: MfaChallenge) => challenges.issue(challenge),

    /** The second step of a login: the user whose challenge this code answers. */
    async answerChallenge(mfaToken: string, code: string, request: RequestMeta): Promise<{ user: UserRecord; challenge: MfaChallenge }> {
      const challenge = await challenges.peek(mfaToken);
      if (!challenge) throw expired();
      let user: UserRecord | undefined;
      let verdict: CodeVerdict = "invalid";
      // A challenge that turns out dead checks no code: the attempt is handed back.
      const accepted = await checkCodeAttempt([`token:${sha256Hex(mfaToken)}`, `user:${challenge.userId}`], request, async () => {
        user = await users.get(challenge.userId);
        if (!user || user.sessionGeneration !== challenge.generation || user.disabledAt !== null) throw expired();
        // Single use: the challenge is redeemed before the code is spent, so a lost race burns no code.
        const taken = await challenges.take(mfaToken);
        if (!taken) throw expired();
        verdict = await consumeCode(user, code);
        if (verdict === "accepted") return true;
        // Back with the expiry it was issued with: wrong codes do not keep a challenge alive.
        await challenges.restore(mfaToken, taken);
        return false;
      });
      if (!accepted || !user) throw codeRefusal(verdict);
      return { user, challenge };
    },
  };
}

export type MfaService = ReturnType<typeof createMfaService>;
