import type { GatehouseReason } from "./errors.js";
import type { PublicUser } from "./wire.js";

/**
 * Changes of the auth state, for a UI to follow:
 * - `initial`: the first event every listener gets, once the state is known:
 *   the restored user, or null when there is no session (with `reason` when a
 *   stored session turned out to have ended: revoked, expired, reused);
 * - `signed-in`: a session now exists (login, signup, MFA, another tab's login);
 * - `refreshed`: the same session got a new access token (the user record may have changed too);
 * - `user-updated`: the user record changed (name, email verified, two-factor), same session and token;
 * - `signed-out`: there is no session any more, by request (logout here or in another tab);
 * - `session-lost`: a session ended without being asked to (refresh token revoked, reused or expired).
 */
export type AuthEvent =
  | { type: "initial"; user: PublicUser | null; reason?: GatehouseReason | "unknown" }
  | { type: "signed-in"; user: PublicUser }
  | { type: "refreshed"; user: PublicUser }
  | { type: "user-updated"; user: PublicUser }
  | { type: "signed-out" }
  | { type: "session-lost"; reason: GatehouseReason | "unknown" };

export type AuthListener = (event: AuthEvent) => void;

export interface AuthEvents {
  subscribe(listener: AuthListener): () => void;
  emit(event: AuthEvent): void;
}

/**
 * `knownUser` tells the current state: undefined while it is not known yet
 * (before the first restore), else the user or null. A listener that has not
 * had its `initial` event gets it in place of the next event, or right after
 * subscribing when the state is already known, so its first event always
 * describes the whole state and it never sees `signed-in` for a session that
 * was merely restored.
 */
export function createAuthEvents(knownUser: () => PublicUser | null | undefined): AuthEvents {
  // Listener → whether it still waits for its `initial` event.
  const listeners = new Map<AuthListener, { waiting: boolean }>();

  const deliver = (listener: AuthListener, event: AuthEvent): void => {
    try {
      listener(event);
    } catch (error) {
      // A faulty listener must not break the session or the other listeners;
      // rethrown outside our call stack, it still reaches the host's error reporting.
      queueMicrotask(() => {
        throw error;
      });
    }
  };

  const initialFor = (listener: AuthListener, entry: { waiting: boolean }, lost?: AuthEvent): void => {
    const user = knownUser();
    if (!entry.waiting || user === undefined || listeners.get(listener) !== entry) return;
    entry.waiting = false;
    deliver(listener, lost?.type === "session-lost" && user === null ? { type: "initial", user, reason: lost.reason } : { type: "initial", user });
  };

  return {
    subscribe(listener) {
      const entry = { waiting: true };
      listeners.set(listener, entry);
      // Not synchronously: the caller is still busy subscribing (React's useSyncExternalStore, say).
      queueMicrotask(() => initialFor(listener, entry));
      return () => {
        if (listeners.get(listener) === entry) listeners.delete(listener);
      };
    },
    emit(event) {
      for (const [listener, entry] of [...listeners]) {
        if (entry.waiting) initialFor(listener, entry, event);
        else deliver(listener, event);
      }
    },
  };
}
