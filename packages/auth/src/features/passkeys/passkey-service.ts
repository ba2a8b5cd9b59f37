import { generateRegistrationOptions, verifyRegistrationResponse } from "@simplewebauthn/server";
import type { Clock, Store } from "@gatehouse/store";
import { createOneTimeTokens } from "../../crypto/one-time-tokens.js";
import { generateId } from "../../crypto/random.js";
import { AuthError } from "../../errors.js";
import type { Events } from "../../events/events.js";
import type { RequestMeta } from "../../request-meta.js";
import type { SessionRecord } from "../sessions/session-store.js";
import type { UserRecord } from "../users/user-record.js";
import { CHALLENGE_TTL_MS, userHandleOf } from "./ceremony.js";
import { MAX_PASSKEYS_PER_USER, type PasskeyRecord, type PasskeyStore } from "./passkey-store.js";
import type { RelyingParty } from "./relying-party.js";
import type { CreationOptionsJSON, RegistrationResponse } from "./schema.js";
import { STORE_KEYS } from "../../store-keys.js";

export interface PasskeyServiceDeps {
  store: Store;
  clock: Clock;
  events: Events;
  passkeys: PasskeyStore;
  relyingParty: RelyingParty;
}

/** A registration in progress: bound to the session that asked for it. */
interface RegistrationChallenge {
  challenge: string;
  userId: string;
  sessionId: string;
}

const invalid = (message?: string) => new AuthError("passkey_invalid", message ? { message } : {});
const tooMany = () => new AuthError("forbidden", { message: `An account can have at most ${MAX_PASSKEYS_PER_USER} passkeys; remove one first.` });

/** A signed-in user's passkeys: add (a WebAuthn registration), list, rename, remove. */
export function createPasskeyService(deps: PasskeyServiceDeps) {
  const { clock, events, passkeys, relyingParty } = deps;
  const challenges = createOneTimeTokens<RegistrationChallenge>(deps.store, clock, STORE_KEYS.passkeyRegistration, CHALLENGE_TTL_MS);

  return {
    async registrationOptions({ user, session }: { user: UserRecord; session: SessionRecord }) {
      const existing = await passkeys.list(user.id);
      if (existing.length >= MAX_PASSKEYS_PER_USER) throw tooMany();
      const options = await generateRegistrationOptions({
        rpName: relyingParty.name,
        rpID: relyingParty.id,
        userName: user.email,
        userDisplayName: user.name ?? user.email,
        userID: userHandleOf(user.id),
        timeout: CHALLENGE_TTL_MS,
        attestationType: "none",
        // An authenticator that has one for this account already says so instead of making a second.
        excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
        // Discoverable, so it can sign in without an email typed first (CONTRACT §5: user verification preferred).
        authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
      });
      const challengeId = await challenges.issue({ challenge: options.challenge, userId: user.id, sessionId: session.id });
      return { challengeId, options: options as CreationOptionsJSON };
    },

    async register(
      { user, session }: { user: UserRecord; session: SessionRecord },
      input: { challengeId: string; response: RegistrationResponse; name?: string | undefined },
      request: RequestMeta,
    ) {
      const pending = await challenges.take(input.challengeId);
      const fail = (reason: string, message?: string): never => {
        events.emit("passkey_add_failed", { userId: user.id, reason, request });
        throw invalid(message);
      };
      if (!pending || pending.userId !== user.id || pending.sessionId !== session.id)
        fail("challenge_unknown", "This passkey request expired or belongs to another session; start again.");
      let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
      try {
        verified = await verifyRegistrationResponse({
          response: input.response,
          expectedChallenge: pending!.challenge,
          expectedOrigin: relyingParty.origin,
          expectedRPID: relyingParty.id,
          requireUserVerification: false,
        });
      } catch {
        // The library says what did not match; that detail is for neither the caller nor the log (it can echo client data).
        return fail("attestation_rejected");
      }
      if (!verified.verified) return fail("attestation_rejected");
      const { credential, credentialDeviceType, credentialBackedUp } = verified.registrationInfo;
      const now = clock();
      const passkey: PasskeyRecord = {
        id: generateId(),
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey).toString("base64url"),
        counter: credential.counter,
        transports: input.response.response.transports ?? [],
        multiDevice: credentialDeviceType === "multiDevice",
        backedUp: credentialBackedUp,
        name: input.name ?? "Passkey",
        createdAt: now,
        lastUsedAt: null,
      };
      const added = await passkeys.add(user.id, passkey);
      if (added === "taken") return fail("credential_taken", "This passkey is registered already.");
      if (added === "full") throw tooMany();
      events.emit("passkey_added", { userId: user.id, passkeyId: passkey.id, multiDevice: passkey.multiDevice, request });
      return passkey;
    },

    list: (user: UserRecord) => passkeys.list(user.id),

    async rename(user: UserRecord, input: { id: string; name: string }, request: RequestMeta): Promise<PasskeyRecord> {
      const renamed = await passkeys.change(user.id, input.id, (p) => ({ ...p, name: input.name }));
      if (!renamed) throw new AuthError("not_found");
      events.emit("passkey_renamed", { userId: user.id, passkeyId: renamed.id, request });
      return renamed;
    },

    // Only the caller's own list is looked in: someone else's passkey is indistinguishable from none.
    async remove(user: UserRecord, id: string, request: RequestMeta): Promise<void> {
      if (!(await passkeys.remove(user.id, id))) throw new AuthError("not_found");
      events.emit("passkey_removed", { userId: user.id, passkeyId: id, request });
    },
  };
}

export type PasskeyService = ReturnType<typeof createPasskeyService>;
