import { auth } from "../auth";
import { button, field, h } from "../dom";
import { messageBox, onSubmit } from "../errors";
import { takeProviderOutcome } from "../provider-return";
import { providerButtons } from "./provider-buttons";

type Mode = "login" | "signup" | "forgot";

/**
 * Log in (with the two-factor step when the account has it) or create an
 * account. Success needs no handling here: the SDK's `signed-in` event
 * switches the page to the signed-in view.
 */
export function signedOutView(notice?: string, mode: Mode = "login"): HTMLElement {
  const container = h("div", { class: "narrow" });
  const show = (next: HTMLElement) => {
    container.replaceChildren(next);
    next.querySelector<HTMLElement>("h1, h2")?.focus();
  };

  const loginForm = (): HTMLElement => {
    const messages = messageBox();
    if (notice) messages.info(notice);
    const providerError = takeProviderOutcome("error");
    if (providerError) messages.error(providerError);
    const email = field("Email", { name: "email", type: "email", autocomplete: "username", required: true });
    const password = field("Password", { name: "password", type: "password", autocomplete: "current-password", required: true });
    const form = h("form", { class: "stack" }, email.element, password.element, messages.element, h("div", { class: "actions" }, h("button", { type: "submit" }, "Log in")));
    onSubmit(form, messages, async () => {
      const result = await auth.login({ email: email.input.value, password: password.input.value });
      if (result.status === "mfa-required") show(mfaForm(result.mfaToken));
    });
    return h(
      "section",
      { class: "card" },
      h("h1", { tabindex: -1 }, "Log in"),
      form,
      providerButtons(messages),
      h("p", { class: "switch" }, button("Forgot password?", { class: "link" }, () => show(forgotForm(email.input.value)))),
      h("p", { class: "switch" }, "New here? ", button("Create an account", { class: "link" }, () => show(signupForm()))),
    );
  };

  const forgotForm = (typed = ""): HTMLElement => {
    const messages = messageBox();
    const email = field("Email", { name: "email", type: "email", autocomplete: "username", required: true, value: typed });
    const form = h("form", { class: "stack" }, email.element, messages.element, h("div", { class: "actions" }, h("button", { type: "submit" }, "Send reset link")));
    onSubmit(form, messages, async () => {
      await auth.requestPasswordReset({ email: email.input.value });
      // The same answer whether or not the address has an account: nobody learns which do.
      messages.info(`If an account exists for ${email.input.value.trim()}, we sent it a link to choose a new password. The link works for an hour.`);
    });
    return h(
      "section",
      { class: "card" },
      h("h1", { tabindex: -1 }, "Reset your password"),
      h("p", {}, "Enter the email address of your account and we will mail you a link to choose a new password."),
      form,
      h("p", { class: "switch" }, button("Back to log in", { class: "link" }, () => show(loginForm()))),
    );
  };

  const mfaForm = (mfaToken: string): HTMLElement => {
    const messages = messageBox();
    const code = field(
      "Authentication code",
      { name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true, minlength: 6, maxlength: 32 },
      "The 6-digit code from your authenticator app, or one of your recovery codes.",
    );
    const form = h("form", { class: "stack" }, code.element, messages.element, h("div", { class: "actions" }, h("button", { type: "submit" }, "Verify"), button("Back", { class: "secondary" }, () => show(loginForm()))));
    onSubmit(form, messages, async () => {
      await auth.verifyMfa({ mfaToken, code: code.input.value.trim() });
    });
    return h("section", { class: "card" }, h("h1", { tabindex: -1 }, "Two-factor authentication"), form);
  };

  const signupForm = (): HTMLElement => {
    const messages = messageBox();
    const name = field("Name (optional)", { name: "name", autocomplete: "name", maxlength: 100 });
    const email = field("Email", { name: "email", type: "email", autocomplete: "email", required: true });
    const password = field("Password", { name: "password", type: "password", autocomplete: "new-password", required: true }, "At least 8 characters. Common passwords are refused; a few words make a good one.");
    const form = h("form", { class: "stack" }, name.element, email.element, password.element, messages.element, h("div", { class: "actions" }, h("button", { type: "submit" }, "Create account")));
    onSubmit(form, messages, async () => {
      const displayName = name.input.value.trim();
      await auth.signup({ email: email.input.value, password: password.input.value, ...(displayName ? { name: displayName } : {}) });
    });
    return h(
      "section",
      { class: "card" },
      h("h1", { tabindex: -1 }, "Create an account"),
      form,
      h("p", { class: "switch" }, "Already have an account? ", button("Log in", { class: "link" }, () => show(loginForm()))),
    );
  };

  // Back from a provider with two-factor due: its mfaToken came in a short-lived cookie, not the address.
  const providerMfaToken = takeProviderOutcome("mfaRequired") ? auth.providerMfaToken() : null;
  container.append(providerMfaToken ? mfaForm(providerMfaToken) : mode === "signup" ? signupForm() : mode === "forgot" ? forgotForm() : loginForm());
  return container;
}
