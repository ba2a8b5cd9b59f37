import type { Passkey } from "@gatehouse/client";
import { auth } from "../auth";
import { button, card, field, formatDate, h } from "../dom";
import { messageBox, onSubmit, runAction } from "../errors";
import { confirmAction } from "./confirm";

/**
 * Passkeys: add one on this device (step-up; the browser asks the person),
 * list them, remove one (step-up, confirmed first). A passkey signs in on its
 * own, without the password or a two-factor code.
 */
export function passkeysView(): HTMLElement {
  const messages = messageBox();
  const list = h("ul", { class: "rows", "aria-label": "Passkeys" });

  const load = async () => {
    const passkeys = await auth.listPasskeys();
    list.replaceChildren(...(passkeys.length ? passkeys.map(passkeyRow) : [h("li", { class: "row muted" }, "No passkeys yet.")]));
  };

  const passkeyRow = (passkey: Passkey): HTMLElement => {
    const remove = button("Remove", { class: "secondary", "aria-label": `Remove passkey ${passkey.name}` });
    remove.addEventListener(
      "click",
      () =>
        void runAction(remove, messages, async () => {
          const text = "It will no longer sign in to your account. The device may still show it; you can delete it there too.";
          if (!(await confirmAction({ title: `Remove the passkey "${passkey.name}"?`, text, confirm: "Remove passkey" }))) return;
          await auth.removePasskey({ id: passkey.id });
          await load();
          messages.info(`Passkey "${passkey.name}" removed.`);
        }),
    );
    return h(
      "li",
      { class: "row" },
      h(
        "div",
        {},
        h("p", { class: "row-title" }, passkey.name),
        h("p", { class: "muted" }, `added ${formatDate(passkey.createdAt)} · last used ${formatDate(passkey.lastUsedAt)}`),
      ),
      remove,
    );
  };

  if (!window.PublicKeyCredential) {
    void runAction(list, messages, load);
    return card("Passkeys", h("p", { class: "muted" }, "This browser cannot make passkeys. Passkeys added elsewhere are listed here."), messages.element, list);
  }

  const name = field(
    "Label for a new passkey",
    { name: "name", maxlength: 100, autocomplete: "off", placeholder: "Passkey" },
    "To tell your passkeys apart, e.g. the device it is on.",
  );
  const form = h("form", { class: "stack" }, name.element, h("div", { class: "actions" }, h("button", { type: "submit" }, "Add a passkey")));
  onSubmit(form, messages, async () => {
    const typed = name.input.value.trim();
    const added = await auth.registerPasskey(typed ? { name: typed } : {});
    form.reset();
    await load();
    messages.info(`Passkey "${added.name}" added. You can sign in with it on the log-in page.`);
  });

  void runAction(list, messages, load);
  return card(
    "Passkeys",
    h("p", { class: "muted" }, "Sign in with your device's screen lock or a security key instead of a password."),
    form,
    messages.element,
    list,
  );
}
