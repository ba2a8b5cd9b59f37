import type { GatehouseReason } from "./errors.js";
import type { PublicUser } from "./wire.js";

/**
 * What one tab tells the others. In cookie mode all tabs share one refresh
 * cookie, so one tab's session is every tab's session.
 */
export type TabMessage =
  | { type: "session"; change: "signed-in" | "refreshed"; accessToken: string; user: PublicUser; receivedAt: number; expiresAt: number }
  | { type: "user"; user: PublicUser }
  | { type: "signed-out" }
  | { type: "session-lost"; reason: GatehouseReason | "unknown" };

export interface TabSync {
  /** Runs `task` while holding the cross-tab refresh lock (or at once where Web Locks are missing). */
  withRefreshLock<T>(task: () => Promise<T>): Promise<T>;
  publish(message: TabMessage): void;
  onMessage(handler: (message: TabMessage) => void): void;
  close(): void;
}

export interface TabSyncNames {
  channelName: string;
  lockName: string;
}

export const DEFAULT_TAB_SYNC_NAMES: TabSyncNames = { channelName: "gatehouse-auth", lockName: "gatehouse-refresh" };

/** For Node, tests and anywhere the browser APIs are missing. */
export const noTabSync: TabSync = {
  withRefreshLock: (task) => task(),
  publish: () => {},
  onMessage: () => {},
  close: () => {},
};

/** True in a browser page (and a browser-like test environment), false in Node, React Native and workers without a DOM. */
export function looksLikeBrowserPage(): boolean {
  return typeof window !== "undefined" && typeof document !== "undefined";
}

/**
 * Coordinates tabs of one origin: Web Locks make refreshes take turns, so two
 * tabs never present one refresh token at once (the server would forgive a
 * race within 10 s, but not needing that is better); BroadcastChannel shares a
 * refreshed token, a changed user record, a login and a logout. Each is
 * feature-detected on its own.
 */
export function createTabSync(names: TabSyncNames): TabSync {
  const locks = typeof navigator !== "undefined" ? (navigator as { locks?: LockManager }).locks : undefined;
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(names.channelName) : undefined;
  // Node's BroadcastChannel would otherwise keep a process alive.
  (channel as { unref?: () => void } | undefined)?.unref?.();

  return {
    withRefreshLock(task) {
      if (!locks || typeof locks.request !== "function") return task();
      return locks.request(names.lockName, { mode: "exclusive" }, () => task()) as Promise<Awaited<ReturnType<typeof task>>>;
    },
    publish(message) {
      channel?.postMessage(message);
    },
    onMessage(handler) {
      if (!channel) return;
      channel.onmessage = (event: MessageEvent) => {
        if (isTabMessage(event.data)) handler(event.data);
      };
    },
    close() {
      channel?.close();
    },
  };
}

/** Messages come from our own origin, but possibly from another version of this SDK: check the shape. */
function isTabMessage(value: unknown): value is TabMessage {
  if (typeof value !== "object" || value === null) return false;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case "signed-out":
      return true;
    case "session-lost":
      return typeof message.reason === "string";
    case "user":
      return typeof message.user === "object" && message.user !== null;
    case "session":
      return (
        (message.change === "signed-in" || message.change === "refreshed") &&
        typeof message.accessToken === "string" &&
        typeof message.user === "object" &&
        message.user !== null &&
        typeof message.receivedAt === "number" &&
        typeof message.expiresAt === "number"
      );
    default:
      return false;
  }
}
