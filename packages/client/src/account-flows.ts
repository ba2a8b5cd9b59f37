import type { TRPCClient } from "@trpc/client";
import type { AppRouter } from "./router.js";
import { rethrowAsGatehouseError } from "./errors.js";
import type { SessionKeeper } from "./session-keeper.js";
import type { Transport } from "./transport.js";
import type { PublicUser } from "./wire.js";

/** Recovery, verification and password flows (CONTRACT §4), each one call that rejects with a GatehouseError. */
export interface AccountFlows {
  /** Mails a reset link when the address has an account; answers the same either way, so nobody learns which addresses do. */
  requestPasswordReset(input: { email: string }): Promise<void>;
  /**
   * Sets a new password with the token from the reset link (`/reset-password?token=…`).
   * Every session of that account ends; if this client was signed in to it, it reports `session-lost`.
   */
  resetPassword(input: { token: string; password: string }): Promise<void>;
  /** Mails the signed-in user a link to confirm their address. */
  requestEmailVerification(): Promise<void>;
  /** Confirms an address with the token from the mail's link (`/verify-email?token=…`); a signed-in user's record follows (`user-updated`). */
  verifyEmail(input: { token: string }): Promise<void>;
  /** Changes the password. The user's other sessions end; this one stays. */
  changePassword(input: { currentPassword: string; newPassword: string }): Promise<void>;
  /**
   * Step-up: confirms the person with their password (and a two-factor code when it is on).
   * The client takes over the access token the server answers, which carries the fresh
   * authentication time, so the action that asked for it can be retried at once.
   */
  reauthenticate(input: { password: string; code?: string }): Promise<PublicUser>;
}

export function createAccountFlows(api: TRPCClient<AppRouter>, transport: Transport, keeper: SessionKeeper): AccountFlows {
  /** After a change the server made to the signed-in user: fetch the record again; the change itself already succeeded. */
  const followUser = async (): Promise<void> => {
    try {
      if ((await keeper.restore()) === null) return;
      keeper.updateUser((await api.auth.me.query()).user);
    } catch {
      // Offline for a moment: the next refresh brings the record anyway.
    }
  };

  return {
    async requestPasswordReset(input) {
      await transport.requestPasswordReset(input).catch(rethrowAsGatehouseError);
    },

    async resetPassword(input) {
      await transport.resetPassword(input).catch(rethrowAsGatehouseError);
      // The reset ended every session of that account: if this one was among them, learn it now.
      if (keeper.status === "signed-in") await keeper.refresh().catch(() => undefined);
    },

    async requestEmailVerification() {
      await api.auth.requestEmailVerification.mutate().catch(rethrowAsGatehouseError);
    },

    async verifyEmail(input) {
      // A link opened in a tab that is signed in (once restored) keeps that session: the server ends only the others.
      const accessToken = await keeper.accessTokenForCall().catch(() => null);
      await transport.verifyEmail(input, accessToken).catch(rethrowAsGatehouseError);
      await followUser();
    },

    async changePassword(input) {
      await api.auth.changePassword.mutate(input).catch(rethrowAsGatehouseError);
    },

    async reauthenticate(input) {
      // A refresh in flight could answer with a token carrying the old authentication time after ours.
      await keeper.refreshSettled();
      await keeper.stepUp(input);
      return keeper.user!;
    },
  };
}
