import type { Clock, Store } from "@gatehouse/store";
import { createOneTimeTokens } from "../../crypto/one-time-tokens.js";
import { AuthError } from "../../errors.js";
import type { RequestMeta } from "../../request-meta.js";
import type { Events } from "../../events/events.js";
import { appLink } from "../../mail/app-link.js";
import type { MailQueue } from "../../mail/background-mail.js";
import { passwordChangedMail, passwordResetMail, verifyEmailMail } from "../../mail/templates.js";
import type { PasswordHasher } from "../../passwords/hasher.js";
import type { AuthService } from "../auth/auth-service.js";
import type { SessionRecord } from "../sessions/session-store.js";
import type { UserRecord } from "../users/user-record.js";
import type { UserStore } from "../users/user-store.js";

export interface RecoveryServiceDeps {
  store: Store;
  clock: Clock;
  events: Events;
  users: UserStore;
  passwords: PasswordHasher;
  auth: AuthService;
  mail: MailQueue;
  /** Where links in mails point: the app's public URL. */
  appUrl: string;
}

const invalidLink = () => new AuthError("token_invalid", { message: "This link is invalid, expired or already used." });

/** Password reset, email verification and password change. */
export function createRecoveryService(deps: RecoveryServiceDeps) {
  const { store, events, users, passwords, auth, mail, appUrl } = deps;
  // Stamped with the user's generation: a reset, password change or lock since
  // then voids every link still in a mailbox.
  const resetTokens = createOneTimeTokens<{ userId: string; generation: number }>(store, "reset", 3600_000);
  const verificationTokens = createOneTimeTokens<{ userId: string; email: string }>(store, "verify-email", 24 * 3600_000);
  const link = (path: string, token: string) => appLink(appUrl, path, token);

  /** Sets a new password and ends every session but `keep`. */
  async function replacePassword(user: UserRecord, password: string, reason: string, request: RequestMeta, keep?: SessionRecord): Promise<void> {
    const passwordHash = await passwords.hash(password);
    await users.update(user.id, (u) => ({ ...u, passwordHash }));
    await auth.endAllSessions(user.id, reason, request, keep);
    mail.send(passwordChangedMail(user.email), { kind: "password_changed", userId: user.id });
  }

  return {
    /** Always succeeds, for known and unknown emails alike, so the answer reveals nothing. */
    async requestPasswordReset(email: string, request: RequestMeta): Promise<void> {
      const user = await users.findByEmail(email);
      if (!user || user.disabledAt !== null) {
        events.info("reset_requested_unknown_email", { request });
        return;
      }
      // The token is issued after the answer, so a known email costs the
      // request no more store writes than an unknown one.
      mail.sendWhenReady(
        async () => {
          const token = await resetTokens.issue({ userId: user.id, generation: user.sessionGeneration });
          events.info("reset_token_created", { userId: user.id, request });
          return passwordResetMail(user.email, link("/reset-password", token));
        },
        { kind: "password_reset", userId: user.id },
      );
    },

    async resetPassword(token: string, password: string, request: RequestMeta): Promise<void> {
      // A weak password is refused before the token is touched, so it can be used again.
      auth.assertStrongPassword(password);
      const claim = await resetTokens.take(token);
      const user = claim ? await users.get(claim.userId) : undefined;
      if (!claim || !user || user.sessionGeneration !== claim.generation || user.disabledAt !== null) {
        events.info("reset_failed", { reason: "invalid_token", request });
        throw invalidLink();
      }
      try {
        await replacePassword(user, password, "password_reset", request);
      } catch (error) {
        await resetTokens.restore(token, claim);
        throw error;
      }
      events.info("password_reset", { userId: user.id, request });
    },

    async requestEmailVerification(user: UserRecord, request: RequestMeta): Promise<void> {
      if (user.emailVerified) return;
      const token = await verificationTokens.issue({ userId: user.id, email: user.email });
      mail.send(verifyEmailMail(user.email, link("/verify-email", token)), { kind: "verify_email", userId: user.id });
      events.info("verification_requested", { userId: user.id, request });
    },

    async verifyEmail(token: string, request: RequestMeta): Promise<void> {
      const claim = await verificationTokens.take(token);
      const user = claim ? await users.get(claim.userId) : undefined;
      // A link sent to an address the account no longer has verifies nothing.
      if (!claim || !user || user.email !== claim.email) throw invalidLink();
      await users.update(user.id, (u) => ({ ...u, emailVerified: true }));
      events.info("email_verified", { userId: user.id, request });
    },

    async changePassword(caller: { user: UserRecord; session: SessionRecord }, input: { currentPassword: string; newPassword: string }, request: RequestMeta): Promise<void> {
      await auth.confirmPassword(caller.user, input.currentPassword, "change_password", request);
      auth.assertStrongPassword(input.newPassword);
      await replacePassword(caller.user, input.newPassword, "password_changed", request, caller.session);
      events.info("password_changed", { userId: caller.user.id, request });
    },
  };
}

export type RecoveryService = ReturnType<typeof createRecoveryService>;
