import type { Events } from "../../events/events.js";
import { checkAttempt } from "../../rate-limit/attempts.js";
import type { Limiter } from "../../rate-limit/limiter.js";
import type { RequestMeta } from "../../request-meta.js";
import type { SignInMethod } from "./sign-in-method.js";

/**
 * Whose failed credential checks count toward `login.lockout`: the email's, or,
 * for a browser or app that signed in to the account before (its device
 * credential, or a session started with one), only that device's. Unknown
 * emails lock exactly like known ones, so a lock reveals nothing.
 */
export type LockSubject = { kind: "email"; email: string } | { kind: "device"; deviceId: string };

export const lockSubjectOf = (deviceId: string | null | undefined, email: string): LockSubject =>
  deviceId ? { kind: "device", deviceId } : { kind: "email", email };

/** The key a subject's failures are counted under (`login.lockout`). */
export const lockKeyOf = (subject: LockSubject) => (subject.kind === "email" ? `email:${subject.email}` : `device:${subject.deviceId}`);

/** Who is being checked, for the events: the account when known, and how the sign-in proves itself. */
export interface CheckContext {
  userId?: string | undefined;
  method?: SignInMethod | undefined;
  request: RequestMeta;
}

/**
 * The one credential check of every path that proves who someone is (a
 * password at login, step-up or password change; an emailed code; a passkey's
 * assertion): the attempt is counted toward the subject's lockout before
 * `check` runs, so any number of guesses sent at once are checked at most
 * `login.lockout` MAX times, on any number of instances. Refuses a locked
 * subject with `account_locked` (even with the right credential); otherwise
 * resolves whether `check` found the credential right (a right one clears the
 * count, a wrong one stays counted, a check that throws hands its attempt back).
 */
export function createCredentialCheck(deps: { limiter: Limiter; events: Events }) {
  const { limiter, events } = deps;
  return async function checkCredential(subject: LockSubject, check: () => Promise<boolean>, context: CheckContext): Promise<boolean> {
    const { userId, method, request } = context;
    let reservation;
    try {
      reservation = await limiter.reserve("login.lockout", [lockKeyOf(subject)]);
    } catch (error) {
      events.emit("login_failed", {
        reason: "locked",
        method,
        subject: subject.kind,
        userId,
        ...(subject.kind === "email" ? { email: subject.email } : {}),
        request,
      });
      throw error;
    }
    const outcome = await checkAttempt(reservation, check);
    if (!outcome.ok && outcome.locked.length > 0) {
      events.emit("login_locked", { subject: subject.kind, userId, lockedForSeconds: limiter.limits["login.lockout"].windowSeconds, request });
    }
    return outcome.ok;
  };
}

export type CheckCredential = ReturnType<typeof createCredentialCheck>;
