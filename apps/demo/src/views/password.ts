import { auth } from "../auth";
import { card, field, h } from "../dom";
import { FormError, messageBox, onSubmit } from "../errors";

/** Change password: the current one, the new one twice. The server ends the other sessions. */
export function passwordView(): HTMLElement {
  const messages = messageBox();
  const current = field("Current password", { name: "currentPassword", type: "password", autocomplete: "current-password", required: true });
  const next = field(
    "New password",
    { name: "newPassword", type: "password", autocomplete: "new-password", required: true },
    "At least 8 characters; common passwords are refused.",
  );
  const repeat = field("Repeat new password", { name: "repeatPassword", type: "password", autocomplete: "new-password", required: true });
  const form = h(
    "form",
    { class: "stack" },
    current.element,
    next.element,
    repeat.element,
    messages.element,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Change password")),
  );
  onSubmit(form, messages, async () => {
    if (next.input.value !== repeat.input.value) throw new FormError("The new passwords do not match.", "repeatPassword");
    await auth.changePassword({ currentPassword: current.input.value, newPassword: next.input.value });
    form.reset();
    messages.info("Password changed. Your other sessions have been signed out.");
  });
  return card("Password", form);
}
