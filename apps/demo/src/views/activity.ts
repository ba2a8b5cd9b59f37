import type { GatehouseOutputs } from "@gatehouse/client";
import { auth } from "../auth";
import { button, card, formatDate, h } from "../dom";
import { messageBox, runAction } from "../errors";
import { describeUserAgent } from "./sessions";

type ActivityItem = GatehouseOutputs["activity"]["list"]["items"][number];

/** The account's own security events ("login_success" → "Login success"), newest first, a page at a time. */
export function activityView(): HTMLElement {
  const messages = messageBox();
  const list = h("ul", { class: "rows", "aria-label": "Recent activity" });
  let cursor: string | null = null;
  const more = button("Show older", { class: "secondary", hidden: true }, () => void runAction(more, messages, () => load(false)));

  const load = async (fromStart: boolean) => {
    const page = await auth.activity.list({ limit: 10, ...(fromStart || cursor === null ? {} : { cursor }) });
    const rows = page.items.map(activityRow);
    if (fromStart) list.replaceChildren(...(rows.length ? rows : [h("li", { class: "row muted" }, "Nothing yet.")]));
    else list.append(...rows);
    cursor = page.nextCursor;
    more.hidden = cursor === null;
  };

  const reload = button("Reload", { class: "secondary" }, () => void runAction(reload, messages, () => load(true)));
  void runAction(list, messages, () => load(true));
  return card(
    "Recent activity",
    h("p", { class: "muted" }, "Sign-ins and changes to your account, newest first."),
    list,
    messages.element,
    h("div", { class: "actions" }, more, reload),
  );
}

const describeEvent = (event: string): string => {
  const words = event.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
};

function activityRow(item: ActivityItem): HTMLElement {
  return h(
    "li",
    { class: "row" },
    h(
      "div",
      {},
      h("p", { class: "row-title" }, describeEvent(item.event)),
      h("p", { class: "muted", title: item.userAgent }, `${formatDate(item.at)} · ${item.ip || "unknown address"} · ${describeUserAgent(item.userAgent)}`),
    ),
  );
}
