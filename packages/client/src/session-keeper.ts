import { createAuthEvents, type AuthEvent } from "./auth-events.js";
import { endsSession, GatehouseError, reasonOf } from "./errors.js";
import { createRefreshTimer } from "./refresh-timer.js";
import type { SessionHint } from "./session-hint.js";
import { singleFlight } from "./single-flight.js";
import type { TokenStorage } from "./storage.js";
import type { TabMessage, TabSync } from "./tab-sync.js";
import { heldSessionFrom, isSpent, refreshDueAt, type HeldSession } from "./token-state.js";
import type { AuthMode, Transport } from "./transport.js";
import type { PublicUser, TokenSet } from "./wire.js";

/** `unknown` until the first restore has answered: the UI shows neither the login form nor the app yet. */
export type AuthStatus = "unknown" | "signed-in" | "signed-out";

export interface SessionKeeperOptions {
  mode: AuthMode;
  transport: Transport;
  /** Token mode only; cookie mode never touches it. */
  storage: TokenStorage;
  tabSync: TabSync;
  now: () => number;
  /** Cookie mode in a browser page: false when there is certainly no session to restore. */
  sessionHint?: SessionHint | undefined;
}

// A proactive refresh that failed for a transient reason is retried with backoff.
const FIRST_RETRY_MS = 2_000;
const LAST_RETRY_MS = 60_000;

/**
 * Holds the session and keeps it alive: restores it, refreshes it before it
 * expires and when the server says it has, one refresh at a time per tab and
 * (with Web Locks) across tabs, and tells listeners and other tabs what changed.
 */
export function createSessionKeeper(options: SessionKeeperOptions) {
  const { mode, transport, storage, tabSync, now, sessionHint } = options;
  let held: HeldSession | null = null;
  let status: AuthStatus = "unknown";
  const events = createAuthEvents(() => (status === "unknown" ? undefined : (held?.user ?? null)));
  // Bumped whenever the session is replaced or ended, so that a refresh which
  // started before (a restore racing a login, a refresh racing a logout) does
  // not write its outcome over the newer state.
  let epoch = 0;
  // Token mode: the refresh token as last read from or written to storage; undefined until first read.
  let refreshToken: string | null | undefined;
  let retryDelayMs = FIRST_RETRY_MS;

  const timer = createRefreshTimer(() => void refreshWhenDue(), now);

  function hold(session: HeldSession): void {
    held = session;
    status = "signed-in";
    retryDelayMs = FIRST_RETRY_MS;
    timer.scheduleAt(refreshDueAt(session));
  }

  /** Ends the session in memory; `event` is emitted only if there was something to end. */
  function release(event: AuthEvent): void {
    const hadState = status !== "signed-out";
    epoch++;
    held = null;
    status = "signed-out";
    timer.cancel();
    if (hadState) events.emit(event);
  }

  async function storedRefreshToken(): Promise<string | null> {
    if (mode !== "token") return null;
    if (refreshToken === undefined) refreshToken = (await storage.get("refreshToken")) || null;
    return refreshToken;
  }

  async function forgetRefreshToken(): Promise<void> {
    if (mode !== "token") return;
    refreshToken = null;
    await storage.delete("refreshToken");
  }

  function publishSession(session: HeldSession, change: "signed-in" | "refreshed"): void {
    // Other tabs adopt this token instead of refreshing themselves.
    tabSync.publish({
      type: "session",
      change,
      accessToken: session.accessToken,
      user: session.user,
      receivedAt: session.receivedAt,
      expiresAt: session.expiresAt,
    });
  }

  function sessionLost(error: unknown): void {
    const reason = reasonOf(error) ?? "unknown";
    release({ type: "session-lost", reason });
    tabSync.publish({ type: "session-lost", reason });
  }

  const refresh = singleFlight(() => {
    const startedEpoch = epoch;
    const staleToken = held?.accessToken;
    return tabSync.withRefreshLock(() => refreshHoldingLock(startedEpoch, staleToken));
  });

  async function refreshHoldingLock(startedEpoch: number, staleToken: string | undefined): Promise<PublicUser | null> {
    if (epoch !== startedEpoch) return held?.user ?? null;
    // Another tab refreshed while this one waited for the lock, and shared its token.
    if (held && held.accessToken !== staleToken && !isSpent(held, now())) return held.user;

    const wasSignedIn = status === "signed-in";
    const presented = (await storedRefreshToken()) ?? undefined;
    // No hint cookie: the browser holds no refresh cookie, and a refresh would only fail loudly.
    const nothingToPresent = mode === "token" ? presented === undefined : !wasSignedIn && sessionHint?.() === false;
    if (nothingToPresent) {
      if (epoch === startedEpoch) release(wasSignedIn ? { type: "session-lost", reason: "refresh_invalid" } : { type: "signed-out" });
      return null;
    }

    let tokens: TokenSet;
    try {
      tokens = await transport.refresh(presented);
    } catch (error) {
      // A login or logout happened meanwhile: this failure concerns a session that is already gone.
      if (epoch !== startedEpoch) return held?.user ?? null;
      if (!endsSession(error)) throw GatehouseError.from(error);
      // A restore that finds no cookie is not a lost session, just no session.
      if (wasSignedIn || presented !== undefined) sessionLost(error);
      else release({ type: "signed-out" });
      await forgetRefreshToken();
      return null;
    }

    if (epoch !== startedEpoch) return held?.user ?? null;
    const session = heldSessionFrom(tokens, now());
    // The presented refresh token is spent now: remember its successor before anything can fail.
    if (mode === "token") refreshToken = tokens.refreshToken ?? null;
    hold(session);
    const change = wasSignedIn ? "refreshed" : "signed-in";
    publishSession(session, change);
    events.emit({ type: change, user: session.user });
    if (mode === "token" && tokens.refreshToken) await storage.set("refreshToken", tokens.refreshToken);
    return session.user;
  }

  async function refreshWhenDue(): Promise<void> {
    try {
      await refresh();
    } catch {
      // Offline, or the server is struggling: the token may still be good for a
      // while, and a call that finds it spent will try again by itself.
      if (held) {
        timer.scheduleAt(now() + retryDelayMs);
        retryDelayMs = Math.min(retryDelayMs * 2, LAST_RETRY_MS);
      }
    }
  }

  async function accessTokenForCall(): Promise<string | null> {
    if (status === "unknown") await refresh();
    if (held && isSpent(held, now())) await refresh();
    return held?.accessToken ?? null;
  }

  tabSync.onMessage((message: TabMessage) => {
    switch (message.type) {
      case "session": {
        // Ours is at least as fresh: nothing to adopt.
        if (held && held.expiresAt >= message.expiresAt) return;
        const wasSignedIn = status === "signed-in";
        // A login elsewhere replaces whatever this tab had; a refresh of the same session does not.
        if (message.change === "signed-in" || !wasSignedIn) epoch++;
        // Another tab restoring (or signing in again as) the user this tab already shows changes nothing a UI sees.
        const sameUser = wasSignedIn && held?.user.id === message.user.id;
        hold({ accessToken: message.accessToken, user: message.user, receivedAt: message.receivedAt, expiresAt: message.expiresAt });
        if (mode === "token") refreshToken = undefined; // the other tab wrote storage; read it again when needed
        events.emit({ type: sameUser || (wasSignedIn && message.change === "refreshed") ? "refreshed" : "signed-in", user: message.user });
        return;
      }
      case "user":
        if (held?.user.id === message.user.id) {
          held = { ...held, user: message.user };
          events.emit({ type: "user-updated", user: message.user });
        }
        return;
      case "signed-out":
        if (mode === "token") refreshToken = undefined;
        release({ type: "signed-out" });
        return;
      case "session-lost":
        if (mode === "token") refreshToken = undefined;
        release(status === "signed-in" ? { type: "session-lost", reason: message.reason } : { type: "signed-out" });
        return;
    }
  });

  return {
    subscribe: events.subscribe,
    get user(): PublicUser | null {
      return held?.user ?? null;
    },
    get status(): AuthStatus {
      return status;
    },
    /** The token as held right now, without refreshing: for request headers. */
    currentAccessToken(): string | null {
      return held?.accessToken ?? null;
    },

    /** Rotates the refresh token and gets a new access token; null when there is no session (any more). */
    refresh,

    /** The first call restores the session (one silent refresh); later calls answer from memory. */
    restore(): Promise<PublicUser | null> {
      return status === "unknown" ? refresh() : Promise.resolve(held?.user ?? null);
    },

    /**
     * The access token to send with a call: restores first if nobody has yet,
     * and refreshes first if the token is spent. Null when signed out.
     */
    accessTokenForCall,

    /**
     * After the server refused `usedToken`: refreshes once (shared with every
     * other call refused at the same time) and says whether a retry is worth it.
     */
    async recoverFromRejection(usedToken: string): Promise<boolean> {
      if (!held) return false;
      if (held.accessToken !== usedToken) return true; // someone refreshed meanwhile
      await refresh();
      return held !== null && held.accessToken !== usedToken;
    },

    /**
     * Waits out a refresh in flight. A login must not overlap one in cookie
     * mode: the refresh's Set-Cookie could land after the login's and leave the
     * browser holding the old session's cookie under the new session.
     */
    refreshSettled: (): Promise<void> => refresh.settled(),

    /**
     * Step-up: renews this session's sign-in time with the password (and a
     * code with two-factor on), and takes over the access token that carries
     * it, here and in the other tabs. Rejects with a GatehouseError.
     */
    async stepUp(credentials: { password: string; code?: string | undefined }): Promise<void> {
      const startedEpoch = epoch;
      const token = await accessTokenForCall();
      if (token === null) throw new GatehouseError("Sign in before confirming the password.", { reason: "token_invalid" });
      const tokens = await transport.reauthenticate(token, credentials).catch((error: unknown) => {
        throw GatehouseError.from(error);
      });
      // Signed out or in as someone else meanwhile: this token belongs to no session we hold.
      if (epoch !== startedEpoch) return;
      const session = heldSessionFrom(tokens, now());
      hold(session);
      publishSession(session, "refreshed");
      events.emit({ type: "refreshed", user: session.user });
    },

    /** Takes over a fresh TokenSet from login, signup or MFA. */
    async signIn(tokens: TokenSet): Promise<PublicUser> {
      if (mode === "token") {
        if (!tokens.refreshToken) throw new GatehouseError("The server sent no refresh token although the client is in token mode.");
        refreshToken = tokens.refreshToken;
        await Promise.all([storage.set("refreshToken", tokens.refreshToken), tokens.deviceToken ? storage.set("deviceToken", tokens.deviceToken) : undefined]);
      }
      epoch++;
      const session = heldSessionFrom(tokens, now());
      hold(session);
      publishSession(session, "signed-in");
      events.emit({ type: "signed-in", user: session.user });
      return session.user;
    },

    /** A newer record of the signed-in user (a name, a verified email, two-factor): kept, shared, announced. */
    updateUser(user: PublicUser): void {
      if (held?.user.id !== user.id || sameRecord(held.user, user)) return;
      held = { ...held, user };
      tabSync.publish({ type: "user", user });
      events.emit({ type: "user-updated", user });
    },

    /** The refresh token a token-mode logout presents, so the server can end the session without a live access token. */
    storedRefreshToken,

    /** Forgets the session here, in storage and in the other tabs. The device credential is kept: it is not a session. */
    async signOutLocally(): Promise<void> {
      release({ type: "signed-out" });
      tabSync.publish({ type: "signed-out" });
      await forgetRefreshToken();
    },

    deviceToken: async (): Promise<string | undefined> => (mode === "token" ? (await storage.get("deviceToken")) || undefined : undefined),

    isSpent: (): boolean => held !== null && isSpent(held, now()),

    dispose(): void {
      timer.cancel();
      tabSync.close();
    },
  };
}

export type SessionKeeper = ReturnType<typeof createSessionKeeper>;

function sameRecord(a: PublicUser, b: PublicUser): boolean {
  return (Object.keys(b) as (keyof PublicUser)[]).every((key) => a[key] === b[key]) && Object.keys(a).length === Object.keys(b).length;
}
