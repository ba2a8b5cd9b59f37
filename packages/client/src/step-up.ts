import type { SessionKeeper } from "./session-keeper.js";
import { singleFlight } from "./single-flight.js";
import type { PublicUser } from "./wire.js";

/** What the app's step-up prompt is handed. */
export interface StepUpRequest {
  /** The signed-in user: ask for a two-factor code as well when `user.mfaEnabled`. */
  user: PublicUser | null;
  /**
   * Confirms the password (and the TOTP or recovery code, with two-factor on).
   * Rejects with a GatehouseError (`invalid_credentials`, `mfa_invalid`,
   * `account_locked`, …) the prompt can show before letting the person try again.
   */
  reauthenticate(credentials: { password: string; code?: string }): Promise<void>;
}

/**
 * The app's "confirm it's you" dialog. Resolve once the person has stepped up
 * (usually through `reauthenticate`; an account without a password signs in
 * again with its provider instead): the refused call is then retried, once.
 * Reject (the person cancelled) and the call fails with its `reauth_required`.
 */
export type ReauthPrompt = (request: StepUpRequest) => Promise<void>;

/**
 * Runs the prompt for a refused call, once however many calls are refused
 * together (one dialog, not one per call); resolves to whether the person stepped up.
 */
export function createStepUp(keeper: SessionKeeper) {
  let prompt: ReauthPrompt | undefined;
  const askOnce = singleFlight(async (): Promise<boolean> => {
    const request: StepUpRequest = {
      user: keeper.user,
      reauthenticate: (credentials) => keeper.stepUp(credentials),
    };
    try {
      await prompt!(request);
    } catch {
      return false;
    }
    return true;
  });
  return (withPrompt: ReauthPrompt): Promise<boolean> => {
    prompt = withPrompt;
    return askOnce();
  };
}

export type StepUp = ReturnType<typeof createStepUp>;
