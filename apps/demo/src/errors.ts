import { GatehouseError, reasonOf, retryAfterSecondsOf, type ValidationIssue } from "@gatehouse/client";
import { append, h, type Child } from "./dom";
import { clearFieldErrors, inputNamed, showFieldError } from "./field-errors";

/** Thrown when the person dismissed a prompt: nothing to report. */
export class Cancelled extends Error {
  override readonly name = "Cancelled";
}

/** A problem found before asking the server, worded for the person; `field` names the input it is about. */
export class FormError extends Error {
  override readonly name = "FormError";
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const FIELD_NAMES: Record<string, string> = {
  email: "Email",
  password: "Password",
  name: "Name",
  code: "Code",
  currentPassword: "Current password",
  newPassword: "New password",
  scopes: "Permissions",
  expiresInDays: "Expiry",
};

export interface ErrorText {
  message: string;
  details: string[];
}

const wait = (seconds: number | undefined): string => (seconds && seconds > 0 ? `Try again in ${seconds} s.` : "Try again later.");

/**
 * What a person needs to know about a failure, and nothing more: the server's
 * own wording where it is written for people (weak password, wrong password,
 * email taken), a wait time for limits, and never a raw exception.
 */
export function describeError(error: unknown): ErrorText {
  if (error instanceof FormError) return { message: error.message, details: [] };
  const ceremony = passkeyCeremonyProblem(error);
  if (ceremony) return { message: ceremony, details: [] };
  const reason = reasonOf(error);
  const serverMessage = error instanceof Error ? error.message : "";
  switch (reason) {
    case "rate_limited":
      return { message: `Too many attempts. ${wait(retryAfterSecondsOf(error))}`, details: [] };
    case "account_locked":
      return { message: `Too many failed attempts: sign-in to this account is paused. ${wait(retryAfterSecondsOf(error))}`, details: [] };
    case "validation_failed":
      return { message: "Please check what you entered:", details: issuesOf(error).map(describeIssue) };
    case "weak_password":
    case "invalid_credentials":
    case "email_taken":
    case "account_disabled":
    case "email_not_verified":
    case "forbidden":
    case "oauth_failed":
    case "link_required":
      return { message: serverMessage || "That did not work.", details: [] };
    case "mfa_invalid":
      // The server says so when the code was right but already used; otherwise a hint what to enter.
      return {
        message: /already used/i.test(serverMessage)
          ? serverMessage
          : "That code is not valid. Use the current code from your authenticator app, or a recovery code.",
        details: [],
      };
    case "code_invalid":
      return { message: "That code is wrong, expired or already used. Check the newest mail, or ask for a new code.", details: [] };
    case "passkey_invalid":
      return { message: "That passkey could not be verified. Try again, or sign in another way.", details: [] };
    case "not_found":
      return { message: "It is not there any more; it may have been removed already.", details: [] };
    case "reauth_required":
      return { message: "Confirm your password to continue.", details: [] };
    case "token_expired":
    case "token_invalid":
    case "token_revoked":
    case "refresh_invalid":
    case "refresh_reused":
      return { message: "Your session has ended. Please log in again.", details: [] };
    case "store_unavailable":
    case "overloaded":
      return { message: `The service is busy or briefly unavailable. ${wait(retryAfterSecondsOf(error))}`, details: [] };
    case undefined:
      return statusOf(error) === undefined
        ? { message: "Cannot reach the server. Check your connection and try again.", details: [] }
        : { message: "Something went wrong. Please try again.", details: [] };
    default:
      return { message: "Something went wrong. Please try again.", details: [] };
  }
}

/**
 * The browser's own refusals during a passkey ceremony (the SDK passes them on
 * as they are: a DOMException, or @simplewebauthn/browser's WebAuthnError
 * carrying the same name), in words; undefined for anything else.
 */
function passkeyCeremonyProblem(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  switch (error.name) {
    case "NotAllowedError":
      return "No passkey was used: the request was cancelled or timed out, or this device has no passkey for this site.";
    case "InvalidStateError":
      return "This device already has a passkey for your account.";
    case "AbortError":
      return "The passkey request was interrupted. Try again.";
    case "SecurityError":
      return "This page cannot use passkeys at this address.";
  }
  return /WebAuthn is not supported/.test(error.message) ? "This browser cannot use passkeys." : undefined;
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof GatehouseError) return error.status;
  const data = (error as { data?: { httpStatus?: unknown } } | null)?.data;
  return typeof data?.httpStatus === "number" ? data.httpStatus : undefined;
}

/** Validation issues from the SDK's GatehouseError or from a tRPC call's error data. */
function issuesOf(error: unknown): readonly ValidationIssue[] {
  if (error instanceof GatehouseError) return error.issues ?? [];
  const issues = (error as { data?: { issues?: unknown } } | null)?.data?.issues;
  return Array.isArray(issues) ? (issues as ValidationIssue[]) : [];
}

/** Which inputs an error is about (by name, first match in the form wins), and what to say there. */
export function fieldProblemsOf(error: unknown): { names: string[]; message: string }[] {
  if (error instanceof FormError) return error.field ? [{ names: [error.field], message: error.message }] : [];
  const { message } = describeError(error);
  switch (reasonOf(error)) {
    case "validation_failed":
      return issuesOf(error).map((issue) => ({ names: [String(issue.path ?? "").split(".")[0] ?? ""], message: issue.message }));
    case "weak_password":
      return [{ names: ["newPassword", "password"], message }];
    case "email_taken":
      return [{ names: ["email"], message }];
    case "invalid_credentials":
      // Only where the form asks for the current password alone; a login form names no field (either could be wrong).
      return [{ names: ["currentPassword"], message }];
    case "mfa_invalid":
    case "code_invalid":
      return [{ names: ["code"], message }];
    default:
      return [];
  }
}

function describeIssue(issue: ValidationIssue): string {
  const path = String(issue.path ?? "");
  const top = path.split(".")[0] ?? "";
  const label = FIELD_NAMES[top] ?? (top || undefined);
  return label ? `${label}: ${issue.message}` : issue.message;
}

/**
 * A message area: empty and hidden until used. Errors are announced
 * (`role="alert"`); confirmations are polite (`role="status"`).
 */
export interface MessageBox {
  element: HTMLElement;
  error(error: unknown): void;
  info(text: string): void;
  clear(): void;
}

export function messageBox(): MessageBox {
  // Focusable from script: after a failed submit, focus moves here when no field is to blame.
  const element = h("div", { class: "message", hidden: true, tabindex: -1 });
  const show = (role: "alert" | "status", kind: string, ...content: Child[]) => {
    element.className = `message ${kind}`;
    element.setAttribute("role", role);
    element.replaceChildren();
    append(element, ...content);
    element.hidden = false;
  };
  return {
    element,
    error(error) {
      if (error instanceof Cancelled) return;
      const { message, details } = describeError(error);
      show("alert", "error", h("p", {}, message), details.length > 0 && h("ul", {}, ...details.map((d) => h("li", {}, d))));
    },
    info(text) {
      show("status", "info", h("p", {}, text));
    },
    clear() {
      element.hidden = true;
      element.removeAttribute("role");
      element.replaceChildren();
    },
  };
}

/**
 * Runs a form's action: blocks double submits, clears the old messages and
 * shows what went wrong, next to the fields it is about when it can tell.
 * Focus then moves to the first field to fix, or to the message, so it never
 * falls to the page (the busy buttons were disabled under it). Resolves to
 * whether it succeeded.
 */
export async function runAction(controls: HTMLElement, messages: MessageBox, action: () => Promise<void>): Promise<boolean> {
  if (controls.getAttribute("aria-busy") === "true") return false;
  const buttons = [controls, ...controls.querySelectorAll("button")].filter((b): b is HTMLButtonElement => b instanceof HTMLButtonElement && !b.disabled);
  const form = controls instanceof HTMLFormElement ? controls : null;
  controls.setAttribute("aria-busy", "true");
  buttons.forEach((b) => (b.disabled = true));
  messages.clear();
  if (form) clearFieldErrors(form);
  let failure: { error: unknown } | undefined;
  try {
    await action();
  } catch (error) {
    failure = { error };
  } finally {
    controls.removeAttribute("aria-busy");
    buttons.forEach((b) => (b.disabled = false));
  }
  if (!failure || failure.error instanceof Cancelled) return !failure;
  messages.error(failure.error);
  const invalid = form ? markFields(form, failure.error) : [];
  (invalid[0] ?? messages.element).focus();
  return false;
}

/** Shows each problem under its field; returns the fields marked, in order. */
function markFields(form: HTMLFormElement, error: unknown): HTMLElement[] {
  return fieldProblemsOf(error).flatMap(({ names, message }) => {
    const input = inputNamed(form, names);
    if (input) showFieldError(input, message);
    return input ? [input] : [];
  });
}

/** Wires a form's submit to `runAction`. */
export function onSubmit(form: HTMLFormElement, messages: MessageBox, action: () => Promise<void>): void {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void runAction(form, messages, action);
  });
}
