import type { GatehouseReason } from "@gatehouse/client";
import { FormError } from "./errors";

/** What a provider sign-in or link said when it sent the browser back (`?error=`, `?mfa=required`, `?linked=`). */
export interface ProviderReturn {
  error: FormError | undefined;
  mfaRequired: boolean;
  linked: string | undefined;
}

// Worded for people; the reason itself stays available to the code.
const MESSAGES: Partial<Record<GatehouseReason, string>> = {
  oauth_failed: "Signing in with the provider did not work (it was cancelled, took too long, or was started in another browser). Please try again.",
  link_required: "An account with this email already exists. Log in to it (or reset its password), then link the provider under “Linked accounts”.",
  account_disabled: "This account has been disabled.",
  email_not_verified: "Confirm your email address first: we sent you a link.",
  account_locked: "Too many failed attempts: sign-in to this account is paused. Try again later.",
  rate_limited: "Too many attempts. Try again later.",
  forbidden: "That provider account is already linked to another account, or another one of it is linked here.",
  token_revoked: "Your session ended before linking finished. Log in and link again.",
  not_found: "That sign-in provider is not configured.",
  validation_failed: "That sign-in link was not valid.",
};

/** Read once at start-up and taken out of the address, so a reload or a shared link does not repeat it. */
function readProviderReturn(): ProviderReturn {
  const url = new URL(location.href);
  const reason = url.searchParams.get("error");
  const result: ProviderReturn = {
    error: reason ? new FormError(MESSAGES[reason as GatehouseReason] ?? "Signing in with the provider did not work.") : undefined,
    mfaRequired: url.searchParams.get("mfa") === "required",
    linked: url.searchParams.get("linked") ?? undefined,
  };
  if (reason || result.mfaRequired || result.linked) {
    for (const name of ["error", "mfa", "linked"]) url.searchParams.delete(name);
    history.replaceState(null, "", url.pathname + url.search);
  }
  return result;
}

export const providerReturn = readProviderReturn();

/** Hands each outcome to the first view that shows it, once. */
export function takeProviderOutcome<K extends keyof ProviderReturn>(key: K): ProviderReturn[K] {
  const value = providerReturn[key];
  providerReturn[key] = (key === "mfaRequired" ? false : undefined) as ProviderReturn[K];
  return value;
}
