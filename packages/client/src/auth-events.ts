import type { GatehouseReason } from "./errors.js";
import type { PublicUser } from "./wire.js";

/**
 * Changes of the auth state, for a UI to follow:
 * - `signed-in`: a session now exists (login, signup, MFA, a restored session, another tab's login);
 * - `refreshed`: the same session got a new access token (the user record may have changed too);
 * - `signed-out`: there is no session, by request (logout) or because none was found on restore;
 * - `session-lost`: a session ended without being asked to (refresh token revoked, reused or expired).
 */
export type AuthEvent =
  | { type: "signed-in"; user: PublicUser }
  | { type: "refreshed"; user: PublicUser }
  | { type: "signed-out" }
  | { type: "session-lost"; reason: GatehouseReason | "unknown" };

export type AuthListener = (event: AuthEvent) => void;

export interface AuthEvents {
  subscribe(listener: AuthListener): () => void;
  emit(event: AuthEvent): void;
}

export function createAuthEvents(): AuthEvents {
  const listeners = new Set<AuthListener>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    emit(event) {
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (error) {
          // A faulty listener must not break the session or the other listeners;
          // rethrown outside our call stack, it still reaches the host's error reporting.
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    },
  };
}
