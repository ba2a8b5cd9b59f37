import { createHmac, randomInt } from "node:crypto";
import type { Store } from "@gatehouse/store";
import { constantTimeEqual, generateId, generateSecretToken, sha256Hex } from "../../crypto/random.js";
import { STORE_KEYS } from "../../store-keys.js";

export const EMAIL_CODE_TTL_MS = 10 * 60_000;
/** Wrong codes that void the code: with 10⁶ codes, 5 guesses succeed once in 200 000. */
export const EMAIL_CODE_MAX_WRONG = 5;

/** Who a code was sent for: an account (as it stood then), or nobody yet (passwordless sign-up). */
export interface CodeOwner {
  userId: string | null;
  /** The account's session generation when the code was sent: a reset, lock or "log out everywhere" since voids it. */
  generation: number;
}

/** One live code per address; a new request replaces the one before (only the newest mail works). */
interface EmailCodeRecord extends CodeOwner {
  id: string;
  /** HMAC of the code under a server key: 6 digits in a leaked store would fall to a plain hash at once. */
  codeMac: string;
  /** SHA-256 of the link's token; also the tail of the link's own key. */
  linkHash: string;
  wrongAttempts: number;
}

export type Redemption = ({ ok: true } & CodeOwner) | { ok: false; reason: "no_code" | "wrong_code" | "code_voided"; userId?: string | null | undefined };

const codeKey = STORE_KEYS.emailCode;
const linkKey = STORE_KEYS.emailOfCodeLink;

/**
 * Email sign-in codes and their one-click links. Every redemption is one
 * compare-and-swap on the address's record, so of any number of concurrent
 * redemptions, on any number of instances, exactly one right answer wins, and
 * each wrong one is counted.
 */
export function createEmailCodeStore(store: Store, macKey: Uint8Array) {
  const macOf = (id: string, code: string) => createHmac("sha256", macKey).update(`${id}:${code}`).digest("hex");

  /** Applies `judge` to the address's live record atomically; a settled record (used or voided) is removed with its link. */
  async function redeem(email: string, judge: (record: EmailCodeRecord) => "accepted" | "wrong" | "mismatch"): Promise<Redemption> {
    // Written inside the update callback, which the compiler cannot follow: hence the widening casts.
    let outcome = { ok: false, reason: "no_code" } as Redemption;
    let settled = undefined as EmailCodeRecord | undefined;
    await store.update<EmailCodeRecord>(codeKey(email), (current) => {
      settled = undefined;
      if (!current) {
        outcome = { ok: false, reason: "no_code" };
        return undefined;
      }
      const verdict = judge(current);
      if (verdict === "mismatch") {
        outcome = { ok: false, reason: "no_code", userId: current.userId };
        return current;
      }
      if (verdict === "accepted") {
        outcome = { ok: true, userId: current.userId, generation: current.generation };
        settled = current;
        return undefined;
      }
      const wrongAttempts = current.wrongAttempts + 1;
      if (wrongAttempts < EMAIL_CODE_MAX_WRONG) {
        outcome = { ok: false, reason: "wrong_code", userId: current.userId };
        return { ...current, wrongAttempts };
      }
      outcome = { ok: false, reason: "code_voided", userId: current.userId };
      settled = current;
      return undefined;
    });
    if (settled) await store.delete(linkKey(settled.linkHash));
    return outcome;
  }

  return {
    /** A fresh 6-digit code and link token for `email`, replacing any earlier one. */
    async issue(email: string, owner: CodeOwner): Promise<{ code: string; linkToken: string }> {
      const code = randomInt(0, 1_000_000).toString().padStart(6, "0");
      const linkToken = generateSecretToken(32);
      const id = generateId();
      const record: EmailCodeRecord = {
        id,
        codeMac: macOf(id, code),
        linkHash: sha256Hex(linkToken),
        userId: owner.userId,
        generation: owner.generation,
        wrongAttempts: 0,
      };
      await store.set(linkKey(record.linkHash), email, EMAIL_CODE_TTL_MS);
      await store.set(codeKey(email), record, EMAIL_CODE_TTL_MS);
      return { code, linkToken };
    },

    /** The address a link was sent to, while it may still work. */
    emailOfLink: (linkToken: string) => store.get<string>(linkKey(sha256Hex(linkToken))),

    redeemCode: (email: string, code: string) => redeem(email, (record) => (constantTimeEqual(record.codeMac, macOf(record.id, code)) ? "accepted" : "wrong")),

    /** A link is 256 bits: a wrong one is not a guess worth counting, only a stale link (a newer code replaced it). */
    redeemLink: (email: string, linkToken: string) =>
      redeem(email, (record) => (constantTimeEqual(record.linkHash, sha256Hex(linkToken)) ? "accepted" : "mismatch")),
  };
}

export type EmailCodeStore = ReturnType<typeof createEmailCodeStore>;
