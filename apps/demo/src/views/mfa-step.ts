import { auth } from "../auth";
import { button, field, h } from "../dom";
import { messageBox, onSubmit } from "../errors";

/**
 * The second step of a sign-in (after a password or an emailed code) when the
 * account has two-factor on. On the log-in page success needs no handling:
 * the SDK's `signed-in` event switches the page; elsewhere `done` leads on.
 */
export function mfaStep(mfaToken: string, back: () => void, done?: () => void): HTMLElement {
  const messages = messageBox();
  const code = field(
    "Authentication code",
    { name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true, minlength: 6, maxlength: 32 },
    "The 6-digit code from your authenticator app, or one of your recovery codes.",
  );
  const form = h(
    "form",
    { class: "stack" },
    code.element,
    messages.element,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Verify"), button("Back", { class: "secondary" }, back)),
  );
  onSubmit(form, messages, async () => {
    await auth.verifyMfa({ mfaToken, code: code.input.value.trim() });
    done?.();
  });
  return h("section", { class: "card" }, h("h1", { tabindex: -1 }, "Two-factor authentication"), form);
}
