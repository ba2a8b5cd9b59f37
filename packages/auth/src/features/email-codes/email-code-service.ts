import type { Clock } from "@gatehouse/store";
import { AuthError } from "../../errors.js";
import type { Events } from "../../events/events.js";
import { appLink } from "../../mail/app-link.js";
import type { MailQueue } from "../../mail/background-mail.js";
import { emailSignInCodeMail } from "../../mail/templates.js";
import { NO_PASSWORD_HASH } from "../../passwords/hasher.js";
import type { RequestMeta } from "../../request-meta.js";
import type { LoginResult, SignInService } from "../sign-in/sign-in-service.js";
import type { KnownIps } from "../sign-in/known-ips.js";
import type { RecoveryService } from "../recovery/recovery-service.js";
import type { DeviceRecord } from "../devices/device-store.js";
import type { UserRecord } from "../users/user-record.js";
import type { UserStore } from "../users/user-store.js";
import type { EmailCodeStore, Redemption } from "./email-code-store.js";
import type { LoginWithEmailCodeInput } from "./schema.js";

export interface EmailCodeServiceDeps {
  clock: Clock;
  events: Events;
  users: UserStore;
  signIn: SignInService;
  /** Its mailbox proof: a right code on an unverified address takes the account back, as a confirmation link does. */
  recovery: Pick<RecoveryService, "confirmMailbox">;
  knownIps: KnownIps;
  codes: EmailCodeStore;
  mail: MailQueue;
  appUrl: string;
  passwordlessSignup: boolean;
}

const codeInvalid = (message?: string) => new AuthError("code_invalid", message ? { message } : {});
const METHOD = "email_code";

/** Sign-in with a 6-digit code or a one-click link mailed to the address (and, when allowed, sign-up the same way). */
export function createEmailCodeService(deps: EmailCodeServiceDeps) {
  const { clock, events, users, signIn, codes, mail } = deps;

  /** The account a redeemed code signs in to; with passwordless sign-up, the one it creates. */
  async function accountFor(email: string, redeemed: Extract<Redemption, { ok: true }>, request: RequestMeta): Promise<UserRecord> {
    if (redeemed.userId === null) return createAccount(email, request);
    const user = await users.get(redeemed.userId);
    if (!user || user.email !== email || user.sessionGeneration !== redeemed.generation) {
      events.emit("login_failed", { reason: "email_code_stale", method: METHOD, userId: redeemed.userId, request });
      throw codeInvalid("This code is no longer valid; ask for a new one.");
    }
    // A locked account is refused after this (account_disabled); a proof made on it changes nothing.
    if (user.emailVerified || user.disabledAt !== null) return user;
    // The code just proved the address reaches this person, as a confirmation link would: whatever
    // anyone set up on the account before ends (the session this sign-in starts comes after, so it stays).
    await deps.recovery.confirmMailbox(user, request);
    const confirmed = await users.get(user.id);
    if (!confirmed) throw codeInvalid();
    return confirmed;
  }

  async function createAccount(email: string, request: RequestMeta): Promise<UserRecord> {
    if (!deps.passwordlessSignup) throw codeInvalid();
    // No password (a password login fails as for any wrong one, at the same cost); a reset gives it one.
    const user = await users.create({
      email,
      name: null,
      role: "user",
      emailVerified: true,
      mfaEnabled: false,
      passwordHash: NO_PASSWORD_HASH,
      createdAt: clock(),
    });
    if (!user) {
      // Someone signed up with this address after the code was sent: never sign in to an account the code was not sent for.
      events.emit("login_failed", { reason: "email_code_stale", method: METHOD, email, request });
      throw codeInvalid("This code is no longer valid; ask for a new one.");
    }
    await deps.knownIps.note(user.id, request.ip);
    events.emit("signup", { userId: user.id, email, method: METHOD, request });
    return user;
  }

  return {
    /** Answers the same for every address; mails a code only where one could sign in (or sign up, when allowed). */
    async requestCode(email: string, request: RequestMeta): Promise<void> {
      const user = await users.findByEmail(email);
      if (!user && !deps.passwordlessSignup) {
        events.emit("email_code_requested_unknown_email", { email, request });
        return;
      }
      // The code is issued after the answer, so a known address costs the request no more than an unknown one.
      mail.sendWhenReady(
        async () => {
          const { code, linkToken } = await codes.issue(email, { userId: user?.id ?? null, generation: user?.sessionGeneration ?? 0 });
          events.emit("email_code_requested", { userId: user?.id, email, request });
          return emailSignInCodeMail(email, code, appLink(deps.appUrl, "/sign-in-code", linkToken));
        },
        { kind: "email_code", userId: user?.id, requestId: request.requestId },
      );
    },

    /**
     * Redeems a code (or its link) as a sign-in: lockout, limits, refusals and
     * the TOTP step as for a password. `findDevice` looks up the presented
     * device credential for the address once the address is known (the call's
     * rate-limit key may have looked it up already).
     */
    async signIn(
      input: LoginWithEmailCodeInput,
      deviceToken: string | undefined,
      findDevice: (email: string) => Promise<DeviceRecord | undefined>,
      request: RequestMeta,
    ): Promise<LoginResult> {
      const email = "token" in input ? await codes.emailOfLink(input.token) : input.email;
      if (!email) {
        events.emit("login_failed", { reason: "email_link_unknown", method: METHOD, request });
        throw codeInvalid();
      }
      const { device, subject } = await signIn.signInSubject(email, deviceToken, findDevice(email));
      // Set inside the check, which the compiler cannot follow: hence the widening cast.
      let redeemed = { ok: false, reason: "no_code" } as Redemption;
      const redeem = async () => {
        redeemed = "token" in input ? await codes.redeemLink(email, input.token) : await codes.redeemCode(email, input.code);
        return redeemed.ok;
      };
      await signIn.checkCredential(subject, redeem, { method: METHOD, request });
      if (redeemed.ok) return signIn.completeSignIn(await accountFor(email, redeemed, request), { method: METHOD, askMfa: true, device, deviceToken }, request);
      const userId = redeemed.userId ?? undefined;
      events.emit("login_failed", { reason: redeemed.reason, method: METHOD, email, userId, request });
      if (redeemed.reason === "code_voided") events.emit("email_code_voided", { userId, email, request });
      throw codeInvalid();
    },
  };
}

export type EmailCodeService = ReturnType<typeof createEmailCodeService>;
