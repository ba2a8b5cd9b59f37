import type { Clock } from "@gatehouse/store";
import { AuthError } from "../../errors.js";
import type { Logger } from "../../log.js";
import type { MailQueue } from "../../mail/background-mail.js";
import { accountLockedMail } from "../../mail/templates.js";
import type { RequestMeta } from "../../request-meta.js";
import type { Role } from "../../tokens/access-token.js";
import type { ApiKeyService } from "../api-keys/api-key-service.js";
import type { SessionStore } from "../sessions/session-store.js";
import type { UserRecord } from "../users/user-record.js";
import type { UserStore } from "../users/user-store.js";

export interface AdminServiceDeps {
  clock: Clock;
  logger: Logger;
  users: UserStore;
  sessions: SessionStore;
  apiKeys: ApiKeyService;
  mail: MailQueue;
}

export function createAdminService(deps: AdminServiceDeps) {
  const { clock, logger, users, sessions, apiKeys, mail } = deps;

  const target = async (admin: UserRecord, userId: string): Promise<UserRecord> => {
    // An admin acting on their own account could lock out the last admin.
    if (userId === admin.id) throw new AuthError("forbidden", { message: "Admins cannot change their own role or lock themselves." });
    const user = await users.get(userId);
    if (!user) throw new AuthError("not_found");
    return user;
  };

  return {
    async setRole(admin: UserRecord, userId: string, role: Role, meta: RequestMeta): Promise<UserRecord> {
      const before = await target(admin, userId);
      // Roles are read from the store on every call, so the change applies to
      // the target's very next request, whatever role its live tokens claim.
      const after = (await users.update(userId, (u) => ({ ...u, role })))!;
      logger.info({ event: "role_changed", actorId: admin.id, userId, from: before.role, to: role, requestId: meta.requestId, ip: meta.ip });
      return after;
    },

    /** Incident response to a takeover: nothing the attacker holds keeps working. */
    async lock(admin: UserRecord, userId: string, reason: string, meta: RequestMeta): Promise<void> {
      const user = await target(admin, userId);
      const now = clock();
      // Bumping the generation kills every session, refresh token and access token at once.
      await users.update(userId, (u) => ({ ...u, disabledAt: u.disabledAt ?? now, sessionGeneration: u.sessionGeneration + 1 }));
      const ids = await sessions.listIds(userId);
      await Promise.all(ids.map((id) => sessions.revoke(id, "account_locked")));
      await sessions.removeFromIndex(userId, ids);
      const suspendedKeys = await apiKeys.suspendAll(userId);
      logger.warn({ event: "account_locked_by_admin", actorId: admin.id, userId, reason, sessions: ids.length, suspendedKeys, requestId: meta.requestId, ip: meta.ip });
      logger.info({ event: "token_revoked", userId, reason: "account_locked", requestId: meta.requestId });
      mail.send(accountLockedMail(user.email), { kind: "account_locked", userId, requestId: meta.requestId });
    },

    async unlock(admin: UserRecord, userId: string, meta: RequestMeta): Promise<void> {
      await target(admin, userId);
      // API keys stay suspended: their owner replaces them after the incident.
      await users.update(userId, (u) => ({ ...u, disabledAt: null }));
      logger.info({ event: "account_unlocked_by_admin", actorId: admin.id, userId, requestId: meta.requestId, ip: meta.ip });
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
