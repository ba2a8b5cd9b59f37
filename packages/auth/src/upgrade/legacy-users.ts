import type { Clock, Store } from "@gatehouse/store";
import type { ActivityEntry, ActivityLog } from "../features/activity/activity-log.js";
import { ACTIVITY_MAX_LENGTH } from "../features/activity/activity-log.js";
import type { ApiKeyStore } from "../features/api-keys/api-key-store.js";
import { isSessionLive, type SessionStore } from "../features/sessions/session-store.js";
import type { UserRecord } from "../features/users/user-record.js";
import type { UserStore } from "../features/users/user-store.js";
import { LEGACY_STORE_KEYS, UPGRADE_KEYS } from "../store-keys.js";

// The earlier format: every aggregate one value rewritten whole.
const LEGACY_USER_IDS = LEGACY_STORE_KEYS.userIds;
const legacySessionIds = LEGACY_STORE_KEYS.sessionIdsOfUser;
const legacyApiKeyIds = LEGACY_STORE_KEYS.apiKeyIdsOfUser;
// Activity was one key per entry (each with its own TTL) and a head position.
const legacyActivityHead = LEGACY_STORE_KEYS.activityHead;
const legacyActivityEntry = LEGACY_STORE_KEYS.activityEntry;

const PROGRESS_KEY = UPGRADE_KEYS.usersDone;
const CHUNK = 200;

export interface UsersUpgradeDeps {
  store: Store;
  clock: Clock;
  users: UserStore;
  sessions: SessionStore;
  apiKeys: ApiKeyStore;
  activity: ActivityLog;
}

export interface UsersUpgraded {
  users: number;
  sessions: number;
  apiKeys: number;
  activityLogs: number;
}

/**
 * Moves every user of the legacy id array into the user indexes, with their
 * live sessions, live API keys and newest activity. Each step can be repeated
 * (an index add is a no-op the second time, an activity import only fills an
 * empty log), and progress is noted every chunk, so an upgrade that stops
 * part-way is resumed by the next holder of the claim.
 */
export async function upgradeLegacyUsers(deps: UsersUpgradeDeps, check: () => void): Promise<UsersUpgraded> {
  const { store } = deps;
  const totals: UsersUpgraded = { users: 0, sessions: 0, apiKeys: 0, activityLogs: 0 };
  const ids = await store.get<string[]>(LEGACY_USER_IDS);
  if (!ids) return totals;
  for (let done = (await store.get<number>(PROGRESS_KEY)) ?? 0; done < ids.length; done += CHUNK) {
    check();
    const results = await Promise.all(ids.slice(done, done + CHUNK).map((id) => upgradeUser(deps, id)));
    for (const result of results) {
      if (!result) continue;
      totals.users += 1;
      totals.sessions += result.sessions;
      totals.apiKeys += result.apiKeys;
      totals.activityLogs += result.activity ? 1 : 0;
    }
    await store.set(PROGRESS_KEY, done + CHUNK);
  }
  check();
  await store.delete(LEGACY_USER_IDS);
  await store.delete(PROGRESS_KEY);
  return totals;
}

async function upgradeUser(deps: UsersUpgradeDeps, id: string) {
  const user = await deps.users.get(id);
  if (!user) return undefined;
  await deps.users.index(user);
  const [sessions, apiKeys, activity] = await Promise.all([upgradeSessions(deps, user), upgradeApiKeys(deps, user), upgradeActivity(deps, user.id)]);
  return { sessions, apiKeys, activity };
}

async function upgradeSessions({ store, clock, sessions }: UsersUpgradeDeps, user: UserRecord): Promise<number> {
  const ids = (await store.get<string[]>(legacySessionIds(user.id))) ?? [];
  const records = await Promise.all(ids.map((id) => sessions.get(id)));
  const live = records.filter((s) => s !== undefined && isSessionLive(s, user.sessionGeneration, clock()));
  await Promise.all(live.map((s) => sessions.index(s!)));
  await store.delete(legacySessionIds(user.id));
  return live.length;
}

async function upgradeApiKeys({ store, clock, apiKeys }: UsersUpgradeDeps, user: UserRecord): Promise<number> {
  const ids = (await store.get<string[]>(legacyApiKeyIds(user.id))) ?? [];
  const records = await Promise.all(ids.map((id) => apiKeys.get(id)));
  const live = records.filter((k) => k !== undefined && k.revokedAt === null && (k.expiresAt === null || k.expiresAt > clock()));
  await Promise.all(live.map((k) => apiKeys.index(k!)));
  await store.delete(legacyApiKeyIds(user.id));
  return live.length;
}

/** The newest entries still there (older ones leave by their own TTL), oldest first. */
async function upgradeActivity({ store, activity }: UsersUpgradeDeps, userId: string): Promise<boolean> {
  const head = await store.get<number>(legacyActivityHead(userId));
  if (head === undefined) return false;
  const positions = Array.from({ length: Math.min(head, ACTIVITY_MAX_LENGTH) }, (_, i) => head - Math.min(head, ACTIVITY_MAX_LENGTH) + 1 + i);
  const entries = await Promise.all(positions.map((p) => store.get<ActivityEntry>(legacyActivityEntry(userId, p))));
  await activity.importInto(
    userId,
    entries.filter((e): e is ActivityEntry => e !== undefined),
  );
  await store.delete(legacyActivityHead(userId));
  return true;
}
