import { createAuthClient, reasonOf, type PublicUser } from "@gatehouse/client";

/**
 * The one SDK client of the page. Cookie mode: the refresh token lives in an
 * HttpOnly cookie, the access token in this client's memory only, and tabs
 * share refreshes and logouts.
 */
export const auth = createAuthClient({ url: "/trpc", mode: "cookie" });

export type { PublicUser };

type StepUpPrompt = (user: PublicUser) => Promise<void>;
let promptForPassword: StepUpPrompt | undefined;

/** The UI that asks for the password again (a dialog); set once at start-up. */
export function setStepUpPrompt(prompt: StepUpPrompt): void {
  promptForPassword = prompt;
}

/**
 * Runs an action that may need a recent password (step-up). When the server
 * answers `reauth_required`, asks for the password, re-authenticates, and
 * tries once more. The prompt rejects with `Cancelled` if dismissed. `user`
 * is the page's current record: the SDK's copy of it only changes on refresh,
 * so it may not know yet that two-factor was just turned on.
 */
export async function withStepUp<T>(user: PublicUser, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (reasonOf(error) !== "reauth_required" || !promptForPassword) throw error;
    await promptForPassword(user);
    return action();
  }
}

/**
 * Step-up itself: the server renews the session's authentication time. The
 * access token it answers with cannot be handed to the SDK, so a refresh
 * fetches one that carries the new time (refreshed tokens take it from the session).
 */
export async function reauthenticate(password: string, code: string | undefined): Promise<void> {
  await auth.api.auth.reauthenticate.mutate(code ? { password, code } : { password });
  await auth.refresh();
}
