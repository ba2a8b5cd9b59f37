import type { TRPCClient } from "@trpc/client";
import { rethrowAsGatehouseError } from "./errors.js";
import type { GatehouseInputs as In, GatehouseOutputs as Out } from "./procedure-types.js";
import type { AppRouter } from "./router.js";
import type { SessionKeeper } from "./session-keeper.js";
import type { Transport } from "./transport.js";
import { isMfaChallenge, type PublicUser } from "./wire.js";

export type SignedInResult = { status: "signed-in"; user: PublicUser };
export type LoginResult = SignedInResult | { status: "mfa-required"; mfaToken: string };

/** A passkey as the account lists it. */
export type Passkey = Out["passkeys"]["list"][number];

/**
 * Signing in without a password, and the account's passkeys. Methods marked
 * step-up ask the app's `onReauthRequired` prompt when the password is too
 * old, then try once more.
 */
export interface SignInMethods {
  /**
   * Mails a 6-digit sign-in code and a one-click link (`APP_URL/sign-in-code?token=…`),
   * valid 10 minutes, once. Answers the same whether or not the address has an
   * account, so nobody learns which do.
   */
  requestEmailCode(input: { email: string }): Promise<void>;
  /** Signs in with the mailed code (`{email, code}`) or the link's token (`{token}`); with two-factor on, finish with `verifyMfa`. */
  loginWithEmailCode(input: { email: string; code: string } | { token: string }): Promise<LoginResult>;
  /**
   * Signs in with a passkey (browsers). Without an email the browser offers the
   * passkeys it holds for this site; with one, those of that account. No TOTP
   * step follows. Rejects with the browser's error (`name` "NotAllowedError")
   * when the person cancels or has no passkey here, else with a GatehouseError.
   */
  signInWithPasskey(input?: { email?: string }): Promise<SignedInResult>;
  /** Step-up. Makes a passkey on this device (the browser asks the person) and registers it. */
  registerPasskey(input?: { name?: string }): Promise<Out["passkeys"]["register"]>;
  listPasskeys(): Promise<Passkey[]>;
  renamePasskey(input: In["passkeys"]["rename"]): Promise<Passkey>;
  /** Step-up. */
  removePasskey(input: In["passkeys"]["remove"]): Promise<void>;
}

/**
 * The browser half of WebAuthn, loaded on first use: apps that never touch
 * passkeys never download it (a bundler splits a dynamic import into its own chunk).
 */
const webAuthn = () => import("@simplewebauthn/browser");

// The options are WebAuthn's JSON as @simplewebauthn/server made them; the browser library types them more
// narrowly than this API describes them, so they are handed over as its own type.
type RequestOptionsJSON = Parameters<Awaited<ReturnType<typeof webAuthn>>["startAuthentication"]>[0]["optionsJSON"];
type CreationOptionsJSON = Parameters<Awaited<ReturnType<typeof webAuthn>>["startRegistration"]>[0]["optionsJSON"];

export function createSignInMethods(api: TRPCClient<AppRouter>, transport: Transport, keeper: SessionKeeper): SignInMethods {
  const signedIn = async (tokens: Parameters<typeof keeper.signIn>[0]): Promise<SignedInResult> => ({ status: "signed-in", user: await keeper.signIn(tokens) });
  // Token mode sends the device credential from an earlier sign-in (cookie mode: the browser sends the cookie).
  const withDevice = async <T extends object>(input: T): Promise<T & { deviceToken?: string }> => {
    const deviceToken = await keeper.deviceToken();
    return deviceToken ? { ...input, deviceToken } : input;
  };

  return {
    async requestEmailCode(input) {
      await transport.requestEmailCode(input).catch(rethrowAsGatehouseError);
    },

    async loginWithEmailCode(input) {
      await keeper.refreshSettled();
      const answer = await transport.loginWithEmailCode(await withDevice(input)).catch(rethrowAsGatehouseError);
      if (isMfaChallenge(answer)) return { status: "mfa-required", mfaToken: answer.mfaToken };
      return signedIn(answer);
    },

    async signInWithPasskey(input = {}) {
      const [{ startAuthentication }, { challengeId, options }] = await Promise.all([
        webAuthn(),
        transport.passkeyOptions(input).catch(rethrowAsGatehouseError),
      ]);
      const response = await startAuthentication({ optionsJSON: options as RequestOptionsJSON });
      await keeper.refreshSettled();
      return signedIn(await transport.loginWithPasskey(await withDevice({ challengeId, response })).catch(rethrowAsGatehouseError));
    },

    async registerPasskey(input = {}) {
      // Step-up happens in `api`'s link: the app's prompt, then the call once more.
      const [{ startRegistration }, { challengeId, options }] = await Promise.all([
        webAuthn(),
        api.passkeys.registrationOptions.mutate().catch(rethrowAsGatehouseError),
      ]);
      const response = await startRegistration({ optionsJSON: options as CreationOptionsJSON });
      return api.passkeys.register.mutate({ challengeId, response, ...input }).catch(rethrowAsGatehouseError);
    },

    listPasskeys: () => api.passkeys.list.query().catch(rethrowAsGatehouseError),
    renamePasskey: (input) => api.passkeys.rename.mutate(input).catch(rethrowAsGatehouseError),
    async removePasskey(input) {
      await api.passkeys.remove.mutate(input).catch(rethrowAsGatehouseError);
    },
  };
}
