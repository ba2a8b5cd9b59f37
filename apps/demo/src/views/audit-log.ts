import type { GatehouseOutputs } from "@gatehouse/client";
import { auth } from "../auth";
import { button, card, formatDate, h } from "../dom";
import { FormError, messageBox, runAction } from "../errors";

type AuditEntry = GatehouseOutputs["admin"]["auditLog"]["items"][number];

/** The audit log a page at a time, and a check of its hash chain. */
export function auditLogView(): HTMLElement {
  const messages = messageBox();
  const list = h("ul", { class: "rows", "aria-label": "Audit log" });
  let cursor: string | null = null;

  const load = async (fromStart: boolean) => {
    const page = await auth.admin.auditLog({ limit: 20, ...(fromStart || cursor === null ? {} : { cursor }) });
    const rows = page.items.map(entryRow);
    if (fromStart) list.replaceChildren(...(rows.length ? rows : [h("li", { class: "row muted" }, "No entries yet.")]));
    else list.append(...rows);
    cursor = page.nextCursor;
    more.hidden = cursor === null;
  };

  const more = button("Show older", { class: "secondary", hidden: true }, () => void runAction(more, messages, () => load(false)));
  const reload = button("Reload", { class: "secondary" }, () => void runAction(reload, messages, () => load(true)));
  const verify = button(
    "Verify audit log",
    {},
    () =>
      void runAction(verify, messages, async () => {
        const result = await auth.admin.verifyAuditLog();
        if (result.ok) messages.info(`The audit log is intact: ${result.checked} entries checked.`);
        else messages.error(new FormError(`The audit log has been tampered with at entry #${result.brokenAt ?? "?"} (${result.checked} entries checked).`));
      }),
  );

  void runAction(list, messages, () => load(true));
  return card(
    "Audit log",
    h("p", { class: "muted" }, "Every security-relevant action, chained by hashes so a change or a gap shows."),
    h("div", { class: "actions" }, verify, reload),
    messages.element,
    list,
    h("div", { class: "actions" }, more),
  );
}

function entryRow(entry: AuditEntry): HTMLElement {
  const parts = [
    formatDate(entry.at),
    entry.actor ? `by ${entry.actor}` : null,
    entry.target ? `on ${entry.target}` : null,
    entry.result,
    entry.ip || null,
  ].filter(Boolean);
  return h(
    "li",
    { class: "row" },
    h("div", {}, h("p", { class: "row-title" }, `#${entry.seq} ${entry.action}`), h("p", { class: "muted", title: entry.userAgent }, parts.join(" · "))),
  );
}
