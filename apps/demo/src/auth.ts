import { createAuthClient, type PublicUser, type ReauthPrompt } from "@gatehouse/client";

export type { PublicUser };

let promptForPassword: ReauthPrompt | undefined;

/** The UI that asks for the password again (a dialog that calls the request's `reauthenticate`); set once at start-up. */
export function setStepUpPrompt(prompt: ReauthPrompt): void {
  promptForPassword = prompt;
}

/**
 * The one SDK client of the page. Cookie mode: the refresh token lives in an
 * HttpOnly cookie, the access token in this client's memory only, and tabs
 * share refreshes, logouts and profile changes. Actions that need a recent
 * password (two-factor, API keys, roles) ask for it through the prompt and
 * are retried by the SDK.
 */
export const auth = createAuthClient({
  url: "/trpc",
  mode: "cookie",
  onReauthRequired: (request) => (promptForPassword ? promptForPassword(request) : Promise.reject(new Error("no step-up prompt"))),
});
