import type { Clock } from "@gatehouse/store";
import { AuthError } from "../../errors.js";
import type { Events } from "../../events/events.js";
import type { RequestMeta } from "../../request-meta.js";
import type { MailQueue } from "../../mail/background-mail.js";
import { accountLockedMail } from "../../mail/templates.js";
import type { Role } from "../../tokens/access-token.js";
import type { ApiKeyService } from "../api-keys/api-key-service.js";
import type { UserRecord } from "../users/user-record.js";
import type { UserStore } from "../users/user-store.js";

export interface AdminServiceDeps {
  clock: Clock;
  events: Events;
  users: UserStore;
  apiKeys: ApiKeyService;
  mail: MailQueue;
  endAllSessions(userId: string, reason: string, request: RequestMeta): Promise<void>;
}

export function createAdminService(deps: AdminServiceDeps) {
  const { clock, events, users, apiKeys, mail } = deps;

  const target = async (admin: UserRecord, userId: string): Promise<UserRecord> => {
    // An admin acting on their own account could lock out the last admin.
    if (userId === admin.id) throw new AuthError("forbidden", { message: "Admins cannot change their own role or lock themselves." });
    const user = await users.get(userId);
    if (!user) throw new AuthError("not_found");
    return user;
  };

  return {
    async setRole(admin: UserRecord, userId: string, role: Role, request: RequestMeta): Promise<UserRecord> {
      const before = await target(admin, userId);
      // Roles are read from the store on every call, so the change applies to
      // the target's very next request, whatever role its live tokens claim.
      const after = await users.update(userId, (u) => ({ ...u, role }));
      if (!after) throw new AuthError("not_found");
      events.emit("role_changed", { actorId: admin.id, userId, from: before.role, to: role, request });
      return after;
    },

    /** Incident response to a takeover: nothing the attacker holds keeps working. */
    async lock(admin: UserRecord, userId: string, reason: string, request: RequestMeta): Promise<void> {
      const user = await target(admin, userId);
      const now = clock();
      await users.update(userId, (u) => ({ ...u, disabledAt: u.disabledAt ?? now }));
      // Every session, refresh token and access token dies at once.
      await deps.endAllSessions(userId, "account_locked", request);
      const suspendedKeys = await apiKeys.suspendAll(userId);
      events.emit("account_locked_by_admin", { actorId: admin.id, userId, reason, suspendedKeys, request });
      mail.send(accountLockedMail(user.email), { kind: "account_locked", userId });
    },

    async unlock(admin: UserRecord, userId: string, request: RequestMeta): Promise<void> {
      await target(admin, userId);
      // API keys stay suspended: their owner replaces them after the incident.
      await users.update(userId, (u) => ({ ...u, disabledAt: null }));
      events.emit("account_unlocked_by_admin", { actorId: admin.id, userId, request });
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;
