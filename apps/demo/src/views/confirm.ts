import { button, h, uniqueId } from "../dom";

/**
 * Asks before something that cannot be undone, in a modal dialog. Resolves to
 * true when confirmed; Cancel, Escape or closing it resolve to false. Focus
 * starts on Cancel, so a stray Enter changes nothing.
 */
export function confirmAction(options: { title: string; text: string; confirm: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const titleId = uniqueId("confirm-title");
    const yes = button(options.confirm, { class: "danger" });
    const no = button("Cancel", { class: "secondary" });
    const dialog = h(
      "dialog",
      { "aria-labelledby": titleId },
      h("h2", { id: titleId }, options.title),
      h("p", {}, options.text),
      h("div", { class: "actions" }, yes, no),
    );
    const finish = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    yes.addEventListener("click", () => finish(true));
    no.addEventListener("click", () => finish(false));
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}

/**
 * Asks for a short text (a reason) in a modal dialog. Resolves to the trimmed
 * text, or null when cancelled.
 */
export function askText(options: { title: string; label: string; confirm: string; maxLength: number }): Promise<string | null> {
  return new Promise((resolve) => {
    const titleId = uniqueId("ask-title");
    const inputId = uniqueId("ask-input");
    const input = h("input", { id: inputId, type: "text", name: "text", required: true, maxlength: options.maxLength, autocomplete: "off" });
    const no = button("Cancel", { class: "secondary" });
    const form = h(
      "form",
      { class: "stack" },
      h("h2", { id: titleId }, options.title),
      h("div", { class: "field" }, h("label", { for: inputId }, options.label), input),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "danger" }, options.confirm), no),
    );
    const dialog = h("dialog", { "aria-labelledby": titleId }, form);
    const finish = (answer: string | null) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (input.value.trim()) finish(input.value.trim());
    });
    no.addEventListener("click", () => finish(null));
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      finish(null);
    });
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
}
