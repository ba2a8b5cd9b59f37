import { createHmac } from "node:crypto";
import { generateAuthenticationOptions, verifyAuthenticationResponse } from "@simplewebauthn/server";
import type { Clock, Store } from "@gatehouse/store";
import { createOneTimeTokens } from "../../crypto/one-time-tokens.js";
import { AuthError } from "../../errors.js";
import type { Events } from "../../events/events.js";
import type { RequestMeta } from "../../request-meta.js";
import type { SignedIn } from "../sessions/token-issuer.js";
import type { SignInService } from "../sign-in/sign-in-service.js";
import type { UserStore } from "../users/user-store.js";
import { CHALLENGE_TTL_MS, userIdOfHandle } from "./ceremony.js";
import type { PasskeyStore } from "./passkey-store.js";
import type { RelyingParty } from "./relying-party.js";
import type { AuthenticationResponse, RequestOptionsJSON } from "./schema.js";
import { STORE_KEYS } from "../../store-keys.js";

export interface PasskeySignInDeps {
  store: Store;
  clock: Clock;
  events: Events;
  users: UserStore;
  passkeys: PasskeyStore;
  signIn: SignInService;
  relyingParty: RelyingParty;
  /** Keys the made-up credential offered for an address without passkeys. */
  decoyKey: Uint8Array;
}

/** A sign-in in progress: bound to the address it was asked for, if any. */
interface SignInChallenge {
  challenge: string;
  email: string | null;
}

const METHOD = "passkey";
const invalid = () => new AuthError("passkey_invalid");

/** Sign-in with a passkey: a full sign-in (no TOTP step) under the same lockout, refusals and events as a password. */
export function createPasskeySignInService(deps: PasskeySignInDeps) {
  const { clock, events, users, passkeys, signIn, relyingParty } = deps;
  const challenges = createOneTimeTokens<SignInChallenge>(deps.store, clock, STORE_KEYS.passkeySignIn, CHALLENGE_TTL_MS);

  /**
   * The credentials a browser may use for this address. One without passkeys,
   * or without an account, gets a stable made-up one, so the answer does not
   * tell who has an account (WebAuthn §14.6.2, username enumeration).
   */
  async function allowedFor(email: string): Promise<Array<{ id: string; transports?: string[] }>> {
    const user = await users.findByEmail(email);
    const registered = user ? await passkeys.list(user.id) : [];
    if (registered.length) return registered.map((p) => ({ id: p.credentialId, transports: p.transports }));
    return [{ id: createHmac("sha256", deps.decoyKey).update(email).digest("base64url") }];
  }

  return {
    /** Request options; without an email the browser offers the discoverable credentials it holds for this site. */
    async options(email: string | undefined) {
      const options = await generateAuthenticationOptions({
        rpID: relyingParty.id,
        allowCredentials: email ? await allowedFor(email) : undefined,
        userVerification: "preferred",
        timeout: CHALLENGE_TTL_MS,
      });
      const challengeId = await challenges.issue({ challenge: options.challenge, email: email ?? null });
      return { challengeId, options: options as RequestOptionsJSON };
    },

    async signIn(input: { challengeId: string; response: AuthenticationResponse }, deviceToken: string | undefined, request: RequestMeta): Promise<SignedIn> {
      const { response } = input;
      // Taken before anything is checked: a challenge answers one assertion, right or wrong.
      const pending = await challenges.take(input.challengeId);
      const found = pending ? await passkeys.findByCredentialId(response.id) : undefined;
      const user = found ? await users.get(found.userId) : undefined;
      if (!pending || !found || !user || (pending.email !== null && pending.email !== user.email)) {
        const reason = !pending ? "passkey_challenge_unknown" : !user ? "passkey_unknown" : "passkey_other_account";
        events.emit("login_failed", { reason, method: METHOD, userId: user?.id, request });
        throw invalid();
      }
      const { passkey } = found;
      const { device, subject } = await signIn.signInSubject(user.email, deviceToken);

      /** Why the assertion does not stand, or undefined when it does (its new signature count then stored). */
      const problemWith = async (): Promise<string | undefined> => {
        // A discoverable credential names its account too; it must be the one the credential is registered to.
        if (response.response.userHandle !== undefined && userIdOfHandle(response.response.userHandle) !== user.id) return "passkey_user_handle";
        let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
        try {
          verified = await verifyAuthenticationResponse({
            response,
            expectedChallenge: pending.challenge,
            expectedOrigin: relyingParty.origin,
            expectedRPID: relyingParty.id,
            // Counter 0 leaves the sign-count comparison to recordUse below, which makes it
            // atomically with storing the new count (WebAuthn §7.2 step 21).
            credential: { id: passkey.credentialId, publicKey: Buffer.from(passkey.publicKey, "base64url"), counter: 0, transports: passkey.transports },
            requireUserVerification: false,
          });
        } catch {
          // The library's message says which check failed and may echo client data: kept out of the answer and the log.
          return "passkey_assertion_rejected";
        }
        if (!verified.verified) return "passkey_assertion_rejected";
        const { userVerified, newCounter } = verified.authenticationInfo;
        // Stands in for password and TOTP together: with two-factor on, possession alone (no PIN or biometric) is not enough.
        if (user.mfa && !userVerified) return "passkey_user_not_verified";
        const use = await passkeys.recordUse(user.id, passkey.id, newCounter, clock());
        if (use === "stale") {
          // A signature counter that did not move forward: a cloned authenticator, or a replay (WebAuthn §6.1.1).
          events.emit("passkey_counter_regressed", { userId: user.id, passkeyId: passkey.id, request });
          return "passkey_counter_regressed";
        }
        return use === "gone" ? "passkey_unknown" : undefined;
      };

      // Set inside the check, which the compiler cannot follow: hence the widening cast.
      let problem = undefined as string | undefined;
      await signIn.checkCredential(subject, async () => (problem = await problemWith()) === undefined, { userId: user.id, method: METHOD, request });
      if (problem) {
        events.emit("login_failed", { reason: problem, method: METHOD, userId: user.id, passkeyId: passkey.id, request });
        throw invalid();
      }
      return signIn.completeSignIn(user, { method: METHOD, askMfa: false, device, deviceToken }, request);
    },
  };
}

export type PasskeySignInService = ReturnType<typeof createPasskeySignInService>;
