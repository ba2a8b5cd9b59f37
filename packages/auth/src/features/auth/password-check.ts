import type { Events } from "../../events/events.js";
import type { PasswordHasher } from "../../passwords/hasher.js";
import { checkAttempt } from "../../rate-limit/attempts.js";
import type { Limiter } from "../../rate-limit/limiter.js";
import type { RequestMeta } from "../../request-meta.js";
import type { UserRecord } from "../users/user-record.js";

/**
 * Whose failed password checks count toward `login.lockout`: the email's, or,
 * for a browser or app that signed in to the account before (its device
 * credential, or a session started with one), only that device's. Unknown
 * emails lock exactly like known ones, so a lock reveals nothing.
 */
export type LockSubject = { kind: "email"; email: string } | { kind: "device"; deviceId: string };

export const lockSubjectOf = (deviceId: string | null | undefined, email: string): LockSubject =>
  deviceId ? { kind: "device", deviceId } : { kind: "email", email };

/** The key a subject's failures are counted under (`login.lockout`). */
export const lockKeyOf = (subject: LockSubject) => (subject.kind === "email" ? `email:${subject.email}` : `device:${subject.deviceId}`);

/**
 * The one password check of every path (login, step-up, password change): the
 * attempt is counted toward the subject's lockout before the hash runs, so any
 * number of guesses sent at once are checked at most `login.lockout` MAX times.
 * Refuses a locked subject with `account_locked` (even with the right
 * password); otherwise resolves whether the password is right. Without a user,
 * a dummy hash is verified so unknown emails cost the same.
 */
export function createPasswordCheck(deps: { limiter: Limiter; passwords: PasswordHasher; events: Events }) {
  const { limiter, passwords, events } = deps;
  return async function checkPassword(subject: LockSubject, password: string, user: UserRecord | undefined, request: RequestMeta): Promise<boolean> {
    let reservation;
    try {
      reservation = await limiter.reserve("login.lockout", [lockKeyOf(subject)]);
    } catch (error) {
      events.info("login_failed", { reason: "locked", subject: subject.kind, userId: user?.id, ...(subject.kind === "email" ? { email: subject.email } : {}), request });
      throw error;
    }
    const outcome = await checkAttempt(reservation, () => (user ? passwords.verify(password, user.passwordHash) : passwords.verifyDummy(password)));
    if (!outcome.ok && outcome.locked.length > 0) {
      events.warn("login_locked", { subject: subject.kind, userId: user?.id, lockedForSeconds: limiter.limits["login.lockout"].windowSeconds, request });
    }
    return outcome.ok;
  };
}

export type CheckPassword = ReturnType<typeof createPasswordCheck>;
