import type { PublicUser } from "@gatehouse/client";
import { findUsers } from "../admin-users";
import { auth } from "../auth";
import { button, card, field, formatDate, h } from "../dom";
import { messageBox, onSubmit, runAction, type MessageBox } from "../errors";
import { auditLogView } from "./audit-log";
import { askText, confirmAction } from "./confirm";

const PAGE_SIZE = 20;

/** The admin area: users (find by email, a page at a time; lock, unlock, role) and the audit log. */
export function adminView(): HTMLElement {
  return h("div", { class: "grid wide" }, usersCard(), auditLogView());
}

function usersCard(): HTMLElement {
  const messages = messageBox();
  const list = h("ul", { class: "rows", "aria-label": "Users" });
  const pageInfo = h("p", { class: "hint", role: "status" });
  // The cursors of the pages seen so far, to go back as well as on.
  const cursors: Array<string | undefined> = [undefined];
  let page = 0;
  let email = "";

  const load = async () => {
    const answer = await findUsers({ cursor: cursors[page], limit: PAGE_SIZE, ...(email ? { email } : {}) });
    list.replaceChildren(
      ...(answer.items.length
        ? answer.items.map((user) => userRow(user, messages, load))
        : [h("li", { class: "row muted" }, email ? `No user's email starts with "${email}".` : "No users.")]),
    );
    cursors[page + 1] = answer.nextCursor ?? undefined;
    previous.hidden = page === 0;
    next.hidden = answer.nextCursor === null;
    pageInfo.textContent = `Page ${page + 1}${email ? `, emails starting with "${email}"` : ""}.`;
  };

  const previous = button("Previous page", { class: "secondary", hidden: true }, () => void runAction(previous, messages, () => ((page -= 1), load())));
  const next = button("Next page", { class: "secondary", hidden: true }, () => void runAction(next, messages, () => ((page += 1), load())));

  const search = field(
    "Find by email",
    { name: "email", type: "search", inputmode: "email", autocomplete: "off", spellcheck: "false" },
    "The whole address or its beginning.",
  );
  const form = h("form", { class: "inline-form", role: "search" }, search.element, h("button", { type: "submit" }, "Find"));
  onSubmit(form, messages, async () => {
    email = search.input.value.trim().toLowerCase();
    cursors.splice(1);
    page = 0;
    await load();
  });

  void runAction(list, messages, load);
  return card("Users", form, messages.element, list, pageInfo, h("div", { class: "actions" }, previous, next));
}

function userRow(user: PublicUser, messages: MessageBox, reload: () => Promise<void>): HTMLElement {
  const self = user.id === auth.user?.id;
  const who = user.email;
  const lock = button("Lock…", { class: "danger", "aria-label": `Lock ${who}` });
  lock.addEventListener(
    "click",
    () =>
      void runAction(lock, messages, async () => {
        const reason = await askText({ title: `Lock ${who}?`, label: "Reason (kept in the audit log)", confirm: "Lock account", maxLength: 500 });
        if (reason === null) return;
        await auth.admin.lockUser({ userId: user.id, reason });
        messages.info(`${who} is locked: signed out everywhere, API keys suspended.`);
      }),
  );
  const unlock = button(
    "Unlock",
    { class: "secondary", "aria-label": `Unlock ${who}` },
    () =>
      void runAction(unlock, messages, async () => {
        await auth.admin.unlockUser({ userId: user.id });
        messages.info(`${who} is unlocked and can sign in again. Suspended API keys stay suspended.`);
      }),
  );
  const otherRole = user.role === "admin" ? "user" : "admin";
  const role = button(
    otherRole === "admin" ? "Make admin" : "Make regular user",
    { class: "secondary", "aria-label": `Make ${who} ${otherRole === "admin" ? "an admin" : "a regular user"}` },
    () =>
      void runAction(role, messages, async () => {
        if (
          !(await confirmAction({
            title: `Change the role of ${who}?`,
            text: `${who} becomes ${otherRole === "admin" ? "an admin" : "a regular user"} from their next request on.`,
            confirm: "Change role",
          }))
        )
          return;
        await auth.admin.setRole({ userId: user.id, role: otherRole });
        await reload();
        messages.info(`${who} is now ${otherRole === "admin" ? "an admin" : "a regular user"}.`);
      }),
  );
  const facts = [
    user.role === "admin" ? "admin" : "user",
    user.emailVerified ? "email verified" : "email not verified",
    user.mfaEnabled ? "two-factor on" : "two-factor off",
    `joined ${formatDate(user.createdAt)}`,
  ];
  return h(
    "li",
    { class: "row" },
    h(
      "div",
      { class: "row-main" },
      h("p", { class: "row-title" }, who, user.name ? h("span", { class: "muted" }, ` · ${user.name}`) : null),
      h("p", { class: "muted" }, facts.join(" · ")),
    ),
    // Admins cannot lock themselves or change their own role (the server refuses too).
    self ? h("span", { class: "badge" }, "You") : h("div", { class: "row-actions" }, lock, unlock, role),
  );
}
