import { auth } from "../auth";
import { button, field, h } from "../dom";
import { messageBox, onSubmit, runAction } from "../errors";
import { takeProviderOutcome } from "../provider-return";
import { mfaStep } from "./mfa-step";
import { providerButtons } from "./provider-buttons";

type Mode = "login" | "signup" | "forgot";

/**
 * Log in with a password, a passkey, an emailed code or a sign-in provider
 * (with the two-factor step when the account has it, except after a passkey),
 * or create an account. Success needs no handling here: the SDK's `signed-in` event
 * switches the page to the signed-in view.
 */
export function signedOutView(notice?: string, mode: Mode = "login"): HTMLElement {
  const container = h("div", { class: "narrow" });
  const show = (next: HTMLElement) => {
    container.replaceChildren(next);
    next.querySelector<HTMLElement>("h1, h2")?.focus();
  };

  const loginForm = (typed = ""): HTMLElement => {
    const messages = messageBox();
    if (notice) messages.info(notice);
    const providerError = takeProviderOutcome("error");
    if (providerError) messages.error(providerError);
    const email = field("Email", { name: "email", type: "email", autocomplete: "username", required: true, value: typed });
    const password = field("Password", { name: "password", type: "password", autocomplete: "current-password", required: true });
    const form = h(
      "form",
      { class: "stack" },
      email.element,
      password.element,
      messages.element,
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Log in")),
    );
    onSubmit(form, messages, async () => {
      const result = await auth.login({ email: email.input.value, password: password.input.value });
      if (result.status === "mfa-required") show(mfaForm(result.mfaToken));
    });
    // A typed address narrows the browser's choice to that account's passkeys; without one it offers all it holds here.
    const passkey = button("Sign in with a passkey", { class: "secondary" });
    passkey.addEventListener(
      "click",
      () =>
        void runAction(passkey, messages, async () => {
          const typedEmail = email.input.value.trim();
          await auth.signInWithPasskey(typedEmail && email.input.checkValidity() ? { email: typedEmail } : {});
        }),
    );
    const emailCode = button("Email me a code", { class: "secondary" }, () => show(emailCodeForm(email.input.value)));
    // A browser without WebAuthn (or a page outside a secure context) gets no passkey button.
    const alternatives = h("div", { class: "actions" }, window.PublicKeyCredential ? passkey : null, emailCode);
    return h(
      "section",
      { class: "card" },
      h("h1", { tabindex: -1 }, "Log in"),
      form,
      h("p", { class: "or" }, "Or, without a password:"),
      alternatives,
      providerButtons(messages),
      h(
        "p",
        { class: "switch" },
        button("Forgot password?", { class: "link" }, () => show(forgotForm(email.input.value))),
      ),
      h(
        "p",
        { class: "switch" },
        "New here? ",
        button("Create an account", { class: "link" }, () => show(signupForm())),
      ),
    );
  };

  const forgotForm = (typed = ""): HTMLElement => {
    const messages = messageBox();
    const email = field("Email", { name: "email", type: "email", autocomplete: "username", required: true, value: typed });
    const form = h(
      "form",
      { class: "stack" },
      email.element,
      messages.element,
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Send reset link")),
    );
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
      h(
        "p",
        { class: "switch" },
        button("Back to log in", { class: "link" }, () => show(loginForm())),
      ),
    );
  };

  const mfaForm = (mfaToken: string): HTMLElement => mfaStep(mfaToken, () => show(loginForm()));

  /** Step one of a sign-in by mail: the address. The same answer whether or not it has an account. */
  const emailCodeForm = (typed = ""): HTMLElement => {
    const messages = messageBox();
    const email = field("Email", { name: "email", type: "email", autocomplete: "username", required: true, value: typed });
    const form = h(
      "form",
      { class: "stack" },
      email.element,
      messages.element,
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Email me a code")),
    );
    onSubmit(form, messages, async () => {
      await auth.requestEmailCode({ email: email.input.value });
      show(codeForm(email.input.value.trim()));
    });
    return h(
      "section",
      { class: "card" },
      h("h1", { tabindex: -1 }, "Sign in with a code"),
      h("p", {}, "We will mail you a 6-digit code and a link that signs you in. Both work once, for 10 minutes."),
      form,
      h(
        "p",
        { class: "switch" },
        button("Back to log in", { class: "link" }, () => show(loginForm(email.input.value))),
      ),
    );
  };

  /** Step two: the code from the mail (the mail's link signs in on its own page). */
  const codeForm = (address: string): HTMLElement => {
    const messages = messageBox();
    messages.info(`If ${address} can sign in here, a code is on its way. Enter it below, or open the link in the mail.`);
    const code = field(
      "Code from the mail",
      { name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true, minlength: 6, maxlength: 6, pattern: "[0-9]{6}" },
      "6 digits.",
    );
    const form = h("form", { class: "stack" }, code.element, messages.element, h("div", { class: "actions" }, h("button", { type: "submit" }, "Sign in")));
    onSubmit(form, messages, async () => {
      const result = await auth.loginWithEmailCode({ email: address, code: code.input.value.trim() });
      if (result.status === "mfa-required") show(mfaForm(result.mfaToken));
    });
    const resend = button("Send a new code", { class: "link" });
    resend.addEventListener(
      "click",
      () =>
        void runAction(resend, messages, async () => {
          await auth.requestEmailCode({ email: address });
          messages.info(`A new code is on its way to ${address}; the earlier one no longer works.`);
        }),
    );
    return h(
      "section",
      { class: "card" },
      h("h1", { tabindex: -1 }, "Enter your code"),
      form,
      h("p", { class: "switch" }, resend),
      h(
        "p",
        { class: "switch" },
        button("Back to log in", { class: "link" }, () => show(loginForm(address))),
      ),
    );
  };

  const signupForm = (): HTMLElement => {
    const messages = messageBox();
    const name = field("Name (optional)", { name: "name", autocomplete: "name", maxlength: 100 });
    const email = field("Email", { name: "email", type: "email", autocomplete: "email", required: true });
    const password = field(
      "Password",
      { name: "password", type: "password", autocomplete: "new-password", required: true },
      "At least 8 characters. Common passwords are refused; a few words make a good one.",
    );
    const form = h(
      "form",
      { class: "stack" },
      name.element,
      email.element,
      password.element,
      messages.element,
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Create account")),
    );
    onSubmit(form, messages, async () => {
      const displayName = name.input.value.trim();
      await auth.signup({ email: email.input.value, password: password.input.value, ...(displayName ? { name: displayName } : {}) });
    });
    return h(
      "section",
      { class: "card" },
      h("h1", { tabindex: -1 }, "Create an account"),
      form,
      h(
        "p",
        { class: "switch" },
        "Already have an account? ",
        button("Log in", { class: "link" }, () => show(loginForm())),
      ),
    );
  };

  // Back from a provider with two-factor due: its mfaToken came in a short-lived cookie, not the address.
  const providerMfaToken = takeProviderOutcome("mfaRequired") ? auth.providerMfaToken() : null;
  container.append(providerMfaToken ? mfaForm(providerMfaToken) : mode === "signup" ? signupForm() : mode === "forgot" ? forgotForm() : loginForm());
  return container;
}
