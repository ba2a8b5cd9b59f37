import type { Clock, Store } from "@gatehouse/store";
import { AuthError } from "../../errors.js";
import type { Events } from "../../events/events.js";
import type { RequestMeta } from "../../request-meta.js";
import type { Limit } from "../../rate-limit/limit-rules.js";

/** Whose failures count: the email's, or only the known device's. */
export type LockSubject = { kind: "email"; email: string } | { kind: "device"; deviceId: string };

const subjectKey = (subject: LockSubject) => (subject.kind === "email" ? `email:${subject.email}` : `device:${subject.deviceId}`);

/**
 * Consecutive login failures lock a subject for the lockout window. Unknown
 * emails lock exactly like known ones, so a lock reveals nothing about which
 * accounts exist.
 */
export function createLockout(store: Store, clock: Clock, events: Events, rule: Limit) {
  const windowMs = rule.windowSeconds * 1000;
  return {
    /** Refuses with `account_locked` (and Retry-After) while the subject is locked. */
    async assertNotLocked(subject: LockSubject): Promise<void> {
      const until = await store.get<number>(`lock:${subjectKey(subject)}`);
      if (until !== undefined && until > clock()) {
        throw new AuthError("account_locked", { retryAfterSeconds: Math.max(1, Math.ceil((until - clock()) / 1000)) });
      }
    },

    async recordFailure(subject: LockSubject, context: { userId?: string | undefined; request: RequestMeta }): Promise<void> {
      // The window restarts with every failure: a slow trickle of guesses is
      // still "consecutive" until a success clears it.
      const failures = (await store.update<number>(`fails:${subjectKey(subject)}`, (n = 0) => n + 1, { ttlMs: windowMs }))!;
      if (failures < rule.max) return;
      const until = clock() + windowMs;
      // setIfAbsent makes exactly one request the one that locks: logged once per lock.
      if (await store.setIfAbsent(`lock:${subjectKey(subject)}`, until, windowMs)) {
        await store.delete(`fails:${subjectKey(subject)}`);
        events.warn("login_locked", { subject: subject.kind, userId: context.userId, lockedForSeconds: rule.windowSeconds, request: context.request });
      }
    },

    async recordSuccess(subject: LockSubject): Promise<void> {
      await store.delete(`fails:${subjectKey(subject)}`);
    },
  };
}

export type Lockout = ReturnType<typeof createLockout>;
