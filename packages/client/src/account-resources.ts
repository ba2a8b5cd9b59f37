import type { TRPCClient } from "@trpc/client";
import type { AppRouter } from "./router.js";
import { rethrowAsGatehouseError } from "./errors.js";
import type { GatehouseInputs as In, GatehouseOutputs as Out } from "./procedure-types.js";
import type { SessionKeeper } from "./session-keeper.js";
import type { PublicUser } from "./wire.js";

/**
 * What a signed-in user manages, and what an admin does, as typed methods that
 * reject with a GatehouseError. Inputs and outputs are the server's own types.
 * Methods marked step-up ask the app's `onReauthRequired` prompt when the
 * password is too old, then try once more.
 */
export interface AccountResources {
  sessions: {
    /** The user's live sessions, most recently used first; `current` marks this one. */
    list(): Promise<Out["sessions"]["list"]>;
    revoke(input: In["sessions"]["revoke"]): Promise<void>;
  };
  mfa: {
    /** Step-up. A new TOTP secret to scan; two-factor is on only once `enableTotp` confirms a code. */
    setupTotp(): Promise<Out["mfa"]["setupTotp"]>;
    /** Turns two-factor on; the recovery codes are shown this once. Emits `user-updated`. */
    enableTotp(input: In["mfa"]["enableTotp"]): Promise<Out["mfa"]["enableTotp"]>;
    /** Step-up. Turns two-factor off with a current or recovery code. Emits `user-updated`. */
    disableTotp(input: In["mfa"]["disableTotp"]): Promise<void>;
  };
  apiKeys: {
    /** Step-up. The key itself is in the answer only, once. */
    create(input: In["apiKeys"]["create"]): Promise<Out["apiKeys"]["create"]>;
    list(): Promise<Out["apiKeys"]["list"]>;
    revoke(input: In["apiKeys"]["revoke"]): Promise<void>;
  };
  activity: {
    /** The user's own security events, newest first, a page at a time (`nextCursor`). */
    list(input?: In["activity"]["list"]): Promise<Out["activity"]["list"]>;
  };
  users: {
    get(input: In["users"]["get"]): Promise<PublicUser>;
    /** Changes the user's name. Emits `user-updated`. */
    update(input: In["users"]["update"]): Promise<PublicUser>;
  };
  admin: {
    listUsers(input?: In["admin"]["listUsers"]): Promise<Out["admin"]["listUsers"]>;
    /** Step-up. */
    setRole(input: In["admin"]["setRole"]): Promise<PublicUser>;
    lockUser(input: In["admin"]["lockUser"]): Promise<void>;
    unlockUser(input: In["admin"]["unlockUser"]): Promise<void>;
    auditLog(input?: In["admin"]["auditLog"]): Promise<Out["admin"]["auditLog"]>;
    verifyAuditLog(): Promise<Out["admin"]["verifyAuditLog"]>;
  };
}

export function createAccountResources(api: TRPCClient<AppRouter>, keeper: SessionKeeper): AccountResources {
  const call = <T>(answer: Promise<T>): Promise<T> => answer.catch(rethrowAsGatehouseError);
  const done = async (answer: Promise<unknown>): Promise<void> => void (await call(answer));
  const patchUser = (change: Partial<PublicUser>): void => {
    if (keeper.user) keeper.updateUser({ ...keeper.user, ...change });
  };

  return {
    sessions: {
      list: () => call(api.sessions.list.query()),
      revoke: (input) => done(api.sessions.revoke.mutate(input)),
    },
    mfa: {
      setupTotp: () => api.mfa.setupTotp.mutate().catch(rethrowAsGatehouseError),
      async enableTotp(input) {
        const answer = await call(api.mfa.enableTotp.mutate(input));
        patchUser({ mfaEnabled: true });
        return answer;
      },
      async disableTotp(input) {
        await api.mfa.disableTotp.mutate(input).catch(rethrowAsGatehouseError);
        patchUser({ mfaEnabled: false });
      },
    },
    apiKeys: {
      create: (input) => api.apiKeys.create.mutate(input).catch(rethrowAsGatehouseError),
      list: () => call(api.apiKeys.list.query()),
      revoke: (input) => done(api.apiKeys.revoke.mutate(input)),
    },
    activity: {
      list: (input) => call(api.activity.list.query(input)),
    },
    users: {
      get: async (input) => (await call(api.users.get.query(input))).user,
      async update(input) {
        const { user } = await call(api.users.update.mutate(input));
        keeper.updateUser(user);
        return user;
      },
    },
    admin: {
      listUsers: (input) => call(api.admin.listUsers.query(input)),
      setRole: async (input) => (await api.admin.setRole.mutate(input).catch(rethrowAsGatehouseError)).user,
      lockUser: (input) => done(api.admin.lockUser.mutate(input)),
      unlockUser: (input) => done(api.admin.unlockUser.mutate(input)),
      auditLog: (input) => call(api.admin.auditLog.query(input)),
      verifyAuditLog: () => call(api.admin.verifyAuditLog.query()),
    },
  };
}
