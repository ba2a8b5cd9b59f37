import { reasonOf } from "@gatehouse/client";
import { auth } from "../auth";
import { button, field, h } from "../dom";
import { FormError, messageBox, onSubmit, runAction } from "../errors";
import { mfaStep } from "./mfa-step";

/** Where a link page sends the person on: the login form (or, signed in, the app), or the form that mails a new reset link. */
export type LeaveLinkPage = (next: "home" | "forgot") => void;

const LINK_PROBLEM = "This link is invalid, expired or already used.";

/** A refused link token (the server names it `token_invalid` or `code_invalid`) becomes words for the person. */
async function withLinkToken<T>(action: () => Promise<T>, advice: string): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (reasonOf(error) === "token_invalid" || reasonOf(error) === "code_invalid") throw new FormError(`${LINK_PROBLEM} ${advice}`);
    throw error;
  }
}

/** The page the reset mail links to: choose a new password with the link's token. */
export function resetPasswordView(token: string, leave: LeaveLinkPage): HTMLElement {
  const messages = messageBox();
  const section = h("section", { class: "card" }, h("h1", { tabindex: -1 }, "Choose a new password"));
  const askAgain = button("Ask for a new link", { class: "link" }, () => leave("forgot"));

  if (!token) {
    section.append(h("p", {}, "This link is incomplete. Open the link from the mail again, or ask for a new one."), h("p", { class: "switch" }, askAgain));
    return h("div", { class: "narrow" }, section);
  }

  const password = field(
    "New password",
    { name: "password", type: "password", autocomplete: "new-password", required: true },
    "At least 8 characters. Common passwords are refused; a few words make a good one.",
  );
  const repeat = field("Repeat new password", { name: "repeatPassword", type: "password", autocomplete: "new-password", required: true });
  const form = h(
    "form",
    { class: "stack" },
    password.element,
    repeat.element,
    messages.element,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Set new password")),
  );
  onSubmit(form, messages, async () => {
    if (password.input.value !== repeat.input.value) throw new FormError("The passwords do not match.", "repeatPassword");
    await withLinkToken(() => auth.resetPassword({ token, password: password.input.value }), "Ask for a new one below.");
    const done = h(
      "div",
      { class: "stack" },
      h(
        "div",
        { class: "message info", role: "status" },
        h("p", {}, "Your password has been changed, and every session of your account was signed out. Log in with the new password."),
      ),
      h(
        "div",
        { class: "actions" },
        button("Log in", {}, () => leave("home")),
      ),
    );
    form.replaceWith(done);
    done.querySelector("button")?.focus();
  });
  section.append(form, h("p", { class: "switch" }, askAgain));
  return h("div", { class: "narrow" }, section);
}

/** The page the verification mail links to: confirms the address at once, signed in or not. */
export function verifyEmailView(token: string, leave: LeaveLinkPage): HTMLElement {
  const messages = messageBox();
  const status = h("p", { class: "muted" }, "Confirming your email address…");
  const next = button("Continue", {}, () => leave("home"));
  const section = h(
    "section",
    { class: "card" },
    h("h1", { tabindex: -1 }, "Confirm your email address"),
    status,
    messages.element,
    h("div", { class: "actions" }, next),
  );

  void runAction(next, messages, async () => {
    if (!token) throw new FormError("This link is incomplete. Open the link from the mail again.");
    await withLinkToken(() => auth.verifyEmail({ token }), "Log in and send a new one from your profile.");
    messages.info("Your email address is confirmed. Thank you!");
  }).finally(() => status.remove());
  return h("div", { class: "narrow" }, section);
}

/**
 * The page the sign-in mail links to: signs in at once with the link's token
 * (a mail link is one click), then on to the app; with two-factor on, asks for
 * the code first.
 */
export function signInCodeView(token: string, leave: LeaveLinkPage): HTMLElement {
  const container = h("div", { class: "narrow" });
  const messages = messageBox();
  const status = h("p", { class: "muted" }, "Signing you in…");
  const back = button("Back to log in", {}, () => leave("home"));
  const section = h(
    "section",
    { class: "card" },
    h("h1", { tabindex: -1 }, "Sign in from your mail"),
    status,
    messages.element,
    h("div", { class: "actions" }, back),
  );
  container.append(section);

  void runAction(back, messages, async () => {
    if (!token) throw new FormError("This link is incomplete. Open the link from the mail again.");
    const result = await withLinkToken(() => auth.loginWithEmailCode({ token }), "Ask for a new code from the log-in page.");
    if (result.status === "mfa-required") {
      container.replaceChildren(
        mfaStep(
          result.mfaToken,
          () => leave("home"),
          () => leave("home"),
        ),
      );
      container.querySelector<HTMLElement>("h1")?.focus();
      return;
    }
    leave("home");
  }).finally(() => status.remove());
  return container;
}
