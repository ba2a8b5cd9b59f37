import { GatehouseError, reasonOf, rethrowAsGatehouseError } from "./errors.js";

/**
 * The app's way of confirming the person (step-up): ask for the password (and
 * a two-factor code when it is on) and call `client.reauthenticate`, retrying
 * inside its own dialog until it succeeds; reject to cancel.
 */
export type ReauthPrompt = () => Promise<void>;

export type StepUp = <T>(action: () => Promise<T>) => Promise<T>;

/**
 * Runs an action that needs a recent password: when the server answers
 * `reauth_required`, lets the app confirm the person once and tries again.
 * Without a prompt the refusal is passed on, for the caller to handle.
 */
export function createStepUp(prompt: ReauthPrompt | undefined): StepUp {
  return async (action) => {
    try {
      return await action();
    } catch (error) {
      if (reasonOf(error) !== "reauth_required" || !prompt) throw GatehouseError.from(error);
      await prompt();
      return action().catch(rethrowAsGatehouseError);
    }
  };
}
