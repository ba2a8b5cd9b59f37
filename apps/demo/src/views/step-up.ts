import { reasonOf, type StepUpRequest } from "@gatehouse/client";
import { button, field, h } from "../dom";
import { Cancelled, FormError, messageBox, onSubmit } from "../errors";

/**
 * Asks for the password again (and a two-factor code when it is on) in a
 * modal dialog, and re-authenticates: the SDK takes over the new access token
 * and retries the action that asked. Resolves when done; rejects with
 * Cancelled when the person closes the dialog.
 */
export function confirmPassword(request: StepUpRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const messages = messageBox();
    const password = field("Password", { name: "password", type: "password", autocomplete: "current-password", required: true });
    const code = request.user?.mfaEnabled
      ? field(
          "Two-factor code",
          { name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true },
          "From your authenticator app, or a recovery code.",
        )
      : undefined;
    const cancel = button("Cancel", { class: "secondary" });
    const form = h(
      "form",
      { class: "stack" },
      h("h2", { id: "step-up-title" }, "Confirm it's you"),
      h("p", {}, "For your security, enter your password again to continue."),
      password.element,
      code?.element,
      messages.element,
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Confirm"), cancel),
    );
    const dialog = h("dialog", { "aria-labelledby": "step-up-title" }, form);
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      if (error) reject(error);
      else resolve();
    };

    onSubmit(form, messages, async () => {
      try {
        await request.reauthenticate({ password: password.input.value, ...(code?.input.value.trim() ? { code: code.input.value.trim() } : {}) });
      } catch (error) {
        // The server's wording is about logins ("Email or password…"); here only the password was asked for.
        if (reasonOf(error) === "invalid_credentials") throw new FormError("That password is incorrect.", "password");
        throw error;
      }
      finish();
    });
    cancel.addEventListener("click", () => finish(new Cancelled("step-up cancelled")));
    dialog.addEventListener("close", () => finish(new Cancelled("step-up cancelled")));

    document.body.append(dialog);
    dialog.showModal();
    password.input.focus();
  });
}
