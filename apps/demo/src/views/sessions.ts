import type { GatehouseOutputs } from "@gatehouse/client";
import { auth } from "../auth";
import { button, card, formatDate, h } from "../dom";
import { messageBox, runAction } from "../errors";
import { confirmAction } from "./confirm";

type SessionRow = GatehouseOutputs["sessions"]["list"][number];

/** A readable "Chrome on Linux" from a user agent string; the full string stays in a tooltip. */
export function describeUserAgent(userAgent: string): string {
  if (!userAgent) return "Unknown device";
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /(Chrome|Chromium)\//.test(userAgent)
        ? /HeadlessChrome/.test(userAgent)
          ? "Headless Chrome"
          : "Chrome"
        : /Safari\//.test(userAgent)
          ? "Safari"
          : /curl\//.test(userAgent)
            ? "curl"
            : "Unknown browser";
  const system = /Android/.test(userAgent)
    ? "Android"
    : /iPhone|iPad/.test(userAgent)
      ? "iOS"
      : /Windows/.test(userAgent)
        ? "Windows"
        : /Mac OS X/.test(userAgent)
          ? "macOS"
          : /Linux/.test(userAgent)
            ? "Linux"
            : undefined;
  return system ? `${browser} on ${system}` : browser;
}

/** The user's live sessions: this one marked, the others revocable. */
export function sessionsView(): HTMLElement {
  const messages = messageBox();
  const list = h("ul", { class: "rows", "aria-label": "Sessions" });

  const load = async () => {
    const sessions = await auth.sessions.list();
    list.replaceChildren(...sessions.map(sessionRow));
  };

  const sessionRow = (session: SessionRow): HTMLElement => {
    let action: HTMLElement;
    if (session.current) {
      action = h("span", { class: "badge" }, "This browser");
    } else {
      const device = `${describeUserAgent(session.userAgent)}, ${session.ip || "unknown address"}`;
      const revoke = button("Revoke", { class: "secondary", "aria-label": `Revoke session: ${device}` });
      revoke.addEventListener(
        "click",
        () =>
          void runAction(revoke, messages, async () => {
            if (!(await confirmAction({ title: "Revoke this session?", text: `${device} will be signed out at once.`, confirm: "Revoke session" }))) return;
            await auth.sessions.revoke({ id: session.id });
            await load();
            messages.info("Session revoked: that device is signed out.");
          }),
      );
      action = revoke;
    }
    return h(
      "li",
      { class: session.current ? "row current" : "row" },
      h(
        "div",
        {},
        h("p", { class: "row-title", title: session.userAgent }, describeUserAgent(session.userAgent)),
        h(
          "p",
          { class: "muted" },
          `${session.ip || "unknown address"} · signed in ${formatDate(session.createdAt)} · last active ${formatDate(session.lastUsedAt)}`,
        ),
      ),
      action,
    );
  };

  const reload = button("Reload list", { class: "secondary" }, () => void runAction(reload, messages, load));
  // Demonstrates the silent refresh: a new access token without signing in again, shared with other tabs.
  const refresh = button(
    "Refresh access token now",
    { class: "secondary" },
    () =>
      void runAction(refresh, messages, async () => {
        const user = await auth.refresh();
        if (user) messages.info(`Session refreshed at ${new Date().toLocaleTimeString()}.`);
      }),
  );
  const logoutAll = button("Log out everywhere", { class: "danger" }, () => void runAction(logoutAll, messages, () => auth.logoutAll()));

  void runAction(list, messages, load);
  return card(
    "Sessions",
    h("p", { class: "muted" }, "Browsers and devices signed in to your account."),
    list,
    messages.element,
    h("div", { class: "actions" }, reload, refresh, logoutAll),
  );
}
