import type { Clock, Store } from "@gatehouse/store";
import { createOneTimeTokens } from "../../crypto/one-time-tokens.js";
import { AuthError } from "../../errors.js";
import type { RequestMeta } from "../../request-meta.js";
import type { Events } from "../../events/events.js";
import { appLink } from "../../mail/app-link.js";
import type { MailQueue } from "../../mail/background-mail.js";
import { emailConfirmedMail, passwordChangedMail, passwordResetDoneMail, passwordResetMail, verifyEmailMail, type EndedAccess } from "../../mail/templates.js";
import type { PasswordHasher } from "../../passwords/hasher.js";
import type { AccountsService } from "../accounts/accounts-service.js";
import type { ApiKeyService } from "../api-keys/api-key-service.js";
import type { SessionAuth } from "../sessions/session-auth.js";
import type { SignInService } from "../sign-in/sign-in-service.js";
import type { MfaService } from "../mfa/mfa-service.js";
import type { SessionRecord } from "../sessions/session-store.js";
import type { UserRecord } from "../users/user-record.js";
import type { UserStore } from "../users/user-store.js";
import { createTakeBack } from "./take-back.js";
import { STORE_KEYS } from "../../store-keys.js";

export interface RecoveryServiceDeps {
  store: Store;
  clock: Clock;
  events: Events;
  users: UserStore;
  passwords: PasswordHasher;
  signIn: SignInService;
  sessionAuth: SessionAuth;
  mfa: MfaService;
  apiKeys: ApiKeyService;
  accounts: AccountsService;
  mail: MailQueue;
  /** Where links in mails point: the app's public URL. */
  appUrl: string;
}

const invalidLink = () => new AuthError("code_invalid", { message: "This link is invalid, expired or already used." });

/** Password reset, email verification and password change. */
export function createRecoveryService(deps: RecoveryServiceDeps) {
  const { store, clock, events, users, passwords, signIn, sessionAuth, mfa, mail, appUrl } = deps;
  // Stamped with the user's generation: a reset, password change or lock since
  // then voids every link still in a mailbox.
  const resetTokens = createOneTimeTokens<{ userId: string; generation: number }>(store, clock, STORE_KEYS.resetToken, 3600_000);
  const verificationTokens = createOneTimeTokens<{ userId: string; email: string }>(store, clock, STORE_KEYS.emailVerificationToken, 24 * 3600_000);
  const link = (path: string, token: string) => appLink(appUrl, path, token);
  const takeBack = createTakeBack({ events, users, sessionAuth, mfa, apiKeys: deps.apiKeys, accounts: deps.accounts, invalid: invalidLink });

  /**
   * A proof that whoever asks reads the account's mailbox (a confirmation
   * link, an emailed sign-in code): on an address not yet verified, the
   * take-back ends what anyone else may hold on the account, and the owner is
   * told what ended. `keep`: the caller's own session, which goes on.
   */
  async function confirmMailbox(user: UserRecord, request: RequestMeta, keep?: SessionRecord): Promise<void> {
    const ended = await takeBack(user, "email_verified", undefined, request, keep);
    if (ended) mail.send(emailConfirmedMail(user.email, ended), { kind: "email_confirmed", userId: user.id });
  }

  /** Mails a confirmation link, issued off the request path so every answer costs the same. */
  function sendVerification(user: UserRecord, request: RequestMeta): void {
    mail.sendWhenReady(
      async () => {
        const token = await verificationTokens.issue({ userId: user.id, email: user.email });
        events.emit("verification_requested", { userId: user.id, request });
        return verifyEmailMail(user.email, link("/verify-email", token));
      },
      { kind: "verify_email", userId: user.id },
    );
  }

  return {
    /** Always succeeds, for known and unknown emails alike, so the answer reveals nothing. */
    async requestPasswordReset(email: string, request: RequestMeta): Promise<void> {
      const user = await users.findByEmail(email);
      if (!user || user.disabledAt !== null) {
        events.emit("reset_requested_unknown_email", { request });
        return;
      }
      // The token is issued after the answer, so a known email costs the
      // request no more store writes than an unknown one.
      mail.sendWhenReady(
        async () => {
          const token = await resetTokens.issue({ userId: user.id, generation: user.sessionGeneration });
          events.emit("reset_token_created", { userId: user.id, request });
          return passwordResetMail(user.email, link("/reset-password", token));
        },
        { kind: "password_reset", userId: user.id },
      );
    },

    async resetPassword(token: string, password: string, request: RequestMeta): Promise<void> {
      const ownerOf = async (claim: { userId: string; generation: number } | undefined): Promise<UserRecord> => {
        const user = claim ? await users.get(claim.userId) : undefined;
        if (!claim || !user || user.sessionGeneration !== claim.generation || user.disabledAt !== null) {
          events.emit("reset_failed", { reason: "invalid_token", request });
          throw invalidLink();
        }
        return user;
      };
      // A weak password is refused before the link is redeemed, so it can be used again.
      signIn.assertStrongPassword(password, (await ownerOf(await resetTokens.peek(token))).email);
      const claim = await resetTokens.take(token);
      // Checked again: a concurrent redemption may have taken it, or completed a reset since.
      const user = await ownerOf(claim);
      let ended: EndedAccess | undefined;
      try {
        ended = await takeBack(user, "password_reset", await passwords.hash(password), request);
      } catch (error) {
        // Nothing changed (the hashing queue was full, the store failed): the link still works.
        await resetTokens.restore(token, claim!);
        throw error;
      }
      mail.send(passwordResetDoneMail(user.email, ended!), { kind: "password_reset_done", userId: user.id });
      events.emit("password_reset", { userId: user.id, request });
    },

    /** The signed-in path: a link to the caller's own address, unless it is verified already. */
    async requestEmailVerification(user: UserRecord, request: RequestMeta): Promise<void> {
      if (!user.emailVerified) sendVerification(user, request);
    },

    /** The signed-out path: the same answer whether or not the address has an account that needs one. */
    async requestEmailVerificationFor(email: string, request: RequestMeta): Promise<void> {
      const user = await users.findByEmail(email);
      if (!user || user.emailVerified || user.disabledAt !== null) {
        events.emit("verification_requested_unknown_email", { request });
        return;
      }
      sendVerification(user, request);
    },

    /** `signedIn`: the caller's own live session, when the link was opened while signed in (it is kept). */
    async verifyEmail(token: string, request: RequestMeta, signedIn?: SessionRecord): Promise<void> {
      const claim = await verificationTokens.take(token);
      const user = claim ? await users.get(claim.userId) : undefined;
      // A link sent to an address the account no longer has verifies nothing.
      if (!claim || !user || user.email !== claim.email) throw invalidLink();
      await confirmMailbox(user, request, signedIn);
    },

    async changePassword(
      caller: { user: UserRecord; session: SessionRecord },
      input: { currentPassword: string; newPassword: string },
      request: RequestMeta,
    ): Promise<void> {
      await signIn.confirmPassword(caller, input.currentPassword, "change_password", request);
      signIn.assertStrongPassword(input.newPassword, caller.user.email);
      const passwordHash = await passwords.hash(input.newPassword);
      await users.update(caller.user.id, (u) => ({ ...u, passwordHash }));
      // Every other session and every device credential ends; this session goes on.
      await sessionAuth.endAllSessions(caller.user.id, "password_changed", request, caller.session);
      mail.send(passwordChangedMail(caller.user.email), { kind: "password_changed", userId: caller.user.id });
      events.emit("password_changed", { userId: caller.user.id, request });
    },

    sendVerification,
    confirmMailbox,
  };
}

export type RecoveryService = ReturnType<typeof createRecoveryService>;
