import type { PublicUser } from "./auth";

/** The signed-in user as the page shows it; views re-draw their parts when it changes. */
export interface UserState {
  get(): PublicUser;
  set(user: PublicUser): void;
  subscribe(listener: (user: PublicUser) => void): void;
}

export function userState(initial: PublicUser): UserState {
  let current = initial;
  const listeners = new Set<(user: PublicUser) => void>();
  return {
    get: () => current,
    set(user) {
      current = user;
      for (const listener of listeners) listener(user);
    },
    subscribe(listener) {
      listeners.add(listener);
    },
  };
}
