import type { GatehouseOutputs } from "@gatehouse/client";
import { auth } from "../auth";
import { button, card, checkbox, formatDate, h, uniqueId } from "../dom";
import { FormError, messageBox, onSubmit, runAction } from "../errors";
import { confirmAction } from "./confirm";

type ApiKeyRow = GatehouseOutputs["apiKeys"]["list"][number];
type Scope = ApiKeyRow["scopes"][number];

const SCOPES: { scope: Scope; label: string }[] = [
  { scope: "profile:read", label: "Read your profile (profile:read)" },
  { scope: "users:read", label: "Read user records you may see (users:read)" },
  { scope: "activity:read", label: "Read your account activity (activity:read)" },
];

const EXPIRY_CHOICES: { days: number | undefined; label: string }[] = [
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
  { days: undefined, label: "Never" },
];

/** API keys: create (step-up; the key is shown once), list, revoke. */
export function apiKeysView(): HTMLElement {
  const messages = messageBox();
  const list = h("ul", { class: "rows", "aria-label": "API keys" });
  const revealed = h("div", { class: "revealed", hidden: true });

  const load = async () => {
    const keys = await auth.apiKeys.list();
    list.replaceChildren(...(keys.length ? keys.map(keyRow) : [h("li", { class: "row muted" }, "No API keys yet.")]));
  };

  const keyRow = (key: ApiKeyRow): HTMLElement => {
    const revoke = button("Revoke", { class: "secondary", "aria-label": `Revoke API key ${key.name}` });
    revoke.addEventListener(
      "click",
      () =>
        void runAction(revoke, messages, async () => {
          if (
            !(await confirmAction({
              title: `Revoke the key "${key.name}"?`,
              text: "Scripts using it will be refused from now on. This cannot be undone.",
              confirm: "Revoke key",
            }))
          )
            return;
          await auth.apiKeys.revoke({ id: key.id });
          await load();
          messages.info(`API key "${key.name}" revoked.`);
        }),
    );
    return h(
      "li",
      { class: "row" },
      h(
        "div",
        {},
        h("p", { class: "row-title" }, key.name, " ", h("code", {}, `${key.prefix}…`)),
        h(
          "p",
          { class: "muted" },
          `${key.scopes.join(", ")} · created ${formatDate(key.createdAt)} · last used ${formatDate(key.lastUsedAt)} · expires ${key.expiresAt ? formatDate(key.expiresAt) : "never"}`,
        ),
      ),
      revoke,
    );
  };

  /** The new key, once: with a copy button, and gone when dismissed. */
  const reveal = (key: string) => {
    const inputId = uniqueId("new-key");
    const input = h("input", { id: inputId, type: "text", readonly: true, value: key, class: "mono", spellcheck: "false", autocomplete: "off" });
    const copied = h("p", { class: "hint", role: "status" });
    const copy = button("Copy key", {}, () => {
      navigator.clipboard.writeText(key).then(
        () => (copied.textContent = "Copied to the clipboard."),
        () => {
          input.select();
          copied.textContent = "Press Ctrl+C (⌘C) to copy the selected key.";
        },
      );
    });
    const done = button("I have saved it", { class: "secondary" }, () => {
      revealed.hidden = true;
      revealed.replaceChildren();
    });
    revealed.replaceChildren(
      h("p", { class: "strong" }, "Copy your new API key now. You will not be able to see it again."),
      h("label", { for: inputId }, "New API key"),
      h("div", { class: "inline-form" }, input, copy),
      copied,
      h("p", { class: "hint" }, "Send it as Authorization: Bearer <key>. Keep it secret, like a password."),
      h("div", { class: "actions" }, done),
    );
    revealed.hidden = false;
    input.focus();
    input.select();
  };

  const nameId = uniqueId("key-name");
  const name = h("input", { id: nameId, name: "name", type: "text", required: true, maxlength: 100, autocomplete: "off" });
  const scopeBoxes = SCOPES.map(({ scope, label }) => ({ scope, ...checkbox(label, { name: "scopes", value: scope, checked: scope === "profile:read" }) }));
  const expiryId = uniqueId("key-expiry");
  const expiry = h("select", { id: expiryId, name: "expiresInDays" }, ...EXPIRY_CHOICES.map(({ days, label }) => h("option", { value: days ?? "" }, label)));
  const form = h(
    "form",
    { class: "stack" },
    h("div", { class: "field" }, h("label", { for: nameId }, "Key name"), name),
    h("fieldset", {}, h("legend", {}, "Permissions"), ...scopeBoxes.map((b) => b.element)),
    h("div", { class: "field" }, h("label", { for: expiryId }, "Expires after"), expiry),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Create API key")),
  );
  onSubmit(form, messages, async () => {
    const scopes = scopeBoxes.filter((b) => b.input.checked).map((b) => b.scope);
    if (scopes.length === 0) throw new FormError("Choose at least one permission.", "scopes");
    const days = expiry.value ? Number(expiry.value) : undefined;
    const created = await auth.apiKeys.create({ name: name.value, scopes, ...(days ? { expiresInDays: days } : {}) });
    form.reset();
    reveal(created.key);
    await load();
  });

  void runAction(list, messages, load);
  return card(
    "API keys",
    h("p", { class: "muted" }, "Keys let scripts call the API as you, limited to the permissions you choose."),
    revealed,
    form,
    messages.element,
    list,
  );
}
