import { createHmac } from "node:crypto";
import type { Store } from "@gatehouse/store";
import { deriveSubKey } from "../src/crypto/sub-keys.js";
import { TEST_DATA_KEY } from "./harness.js";

/**
 * A store as the earlier version wrote it, seeded through the store: every
 * aggregate one value (the user id array, per-user session and key id arrays),
 * activity and audit entries one key each with a head position, the audit
 * chain MAC'd over its fields without an id.
 */
export interface LegacySeed {
  userIds: string[];
  /** The user with sessions, keys and activity. */
  owner: { id: string; email: string; liveSession: string; revokedSession: string; liveKey: string; revokedKey: string };
  auditActions: string[];
}

const GENESIS = "0".repeat(64);
const AUDIT_KEY = deriveSubKey(TEST_DATA_KEY, "audit chain");
const DAY = 24 * 3600_000;

export async function seedLegacyStore(store: Store, now: number, options: { users?: number; breakAuditAt?: number } = {}): Promise<LegacySeed> {
  const count = options.users ?? 5;
  const userIds = Array.from({ length: count }, (_, i) => `legacy-user-${i}`);
  await Promise.all(
    userIds.map((id, i) => {
      const user = {
        id,
        email: `legacy${i}@example.com`,
        name: null,
        role: "user",
        emailVerified: false,
        mfaEnabled: false,
        passwordHash: "x",
        createdAt: now - (count - i) * 60_000,
        sessionGeneration: 1,
        disabledAt: null,
      };
      return Promise.all([store.set(`user:${id}`, user), store.set(`user-email:${user.email}`, id)]);
    }),
  );
  // An id whose record never made it (the earlier signup could fail between the two writes).
  await store.set("users:index", [...userIds, "legacy-user-gone"]);

  const owner = {
    id: userIds[0]!,
    email: "legacy0@example.com",
    liveSession: "legacy-session-live",
    revokedSession: "legacy-session-revoked",
    liveKey: "legacy-key-live",
    revokedKey: "legacy-key-revoked",
  };
  const session = (id: string, fields: Record<string, unknown>) =>
    store.set(
      `session:${id}`,
      {
        id,
        userId: owner.id,
        generation: 1,
        createdAt: now - DAY,
        lastUsedAt: now - DAY,
        absoluteExpiresAt: now + 29 * DAY,
        authTime: Math.floor((now - DAY) / 1000),
        ip: "198.51.100.7",
        userAgent: "legacy",
        revokedAt: null,
        revokedReason: null,
        ...fields,
      },
      29 * DAY,
    );
  await Promise.all([
    session(owner.liveSession, {}),
    session(owner.revokedSession, { revokedAt: now - 1000, revokedReason: "logout" }),
    session("legacy-session-old-generation", { generation: 0 }),
    store.set(`user-sessions:${owner.id}`, [owner.liveSession, owner.revokedSession, "legacy-session-old-generation", "legacy-session-expired"]),
  ]);
  const key = (id: string, revokedAt: number | null) =>
    store.set(`apikey:${id}`, {
      id,
      userId: owner.id,
      name: id,
      prefix: "gth_legacy",
      scopes: ["profile:read"],
      createdAt: now - DAY,
      expiresAt: null,
      lastUsedAt: null,
      revokedAt,
      suspendedAt: null,
    });
  await Promise.all([key(owner.liveKey, null), key(owner.revokedKey, now - 1000), store.set(`user-apikeys:${owner.id}`, [owner.liveKey, owner.revokedKey])]);

  const activity = ["signup", "login_success", "logout"];
  await Promise.all(
    activity.map((event, i) => store.set(`activity:${owner.id}:${i + 1}`, { event, at: now - DAY + i, ip: "198.51.100.7", userAgent: "legacy" }, 90 * DAY)),
  );
  await store.set(`activity:${owner.id}:head`, activity.length);

  const auditActions = ["signup", "login_success", "api_key_created", "logout"];
  let prevHash = GENESIS;
  let prevAt: number | null = null;
  for (const [i, action] of auditActions.entries()) {
    const seq = i + 1;
    const entry: {
      seq: number;
      at: number;
      actor: string;
      action: string;
      target: string;
      result: string;
      ip: string;
      userAgent: string;
      requestId: string;
      prevHash: string;
      prevAt: number | null;
    } = {
      seq,
      at: now - DAY + seq,
      actor: owner.id,
      action,
      target: owner.id,
      result: "success",
      ip: "198.51.100.7",
      userAgent: "legacy",
      requestId: `legacy-req-${seq}`,
      prevHash,
      prevAt,
    };
    const hash = createHmac("sha256", AUDIT_KEY)
      .update(
        JSON.stringify([
          entry.seq,
          entry.at,
          entry.actor,
          entry.action,
          entry.target,
          entry.result,
          entry.ip,
          entry.userAgent,
          entry.requestId,
          entry.prevHash,
          entry.prevAt,
        ]),
      )
      .digest("hex");
    const stored = seq === options.breakAuditAt ? { ...entry, actor: "edited", hash } : { ...entry, hash };
    await store.set(`audit:${seq}`, stored, 365 * DAY);
    prevHash = hash;
    prevAt = entry.at;
  }
  await store.set("audit:head", auditActions.length);
  return { userIds, owner, auditActions };
}

/** The keys of the earlier format that an upgrade removes. */
export const legacyKeys = (seed: LegacySeed): string[] => [
  "users:index",
  `user-sessions:${seed.owner.id}`,
  `user-apikeys:${seed.owner.id}`,
  `activity:${seed.owner.id}:head`,
  "audit:head",
  ...seed.auditActions.map((_, i) => `audit:${i + 1}`),
];
