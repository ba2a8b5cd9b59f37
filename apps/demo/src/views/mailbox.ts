import { button, formatDate, h } from "../dom";
import { FormError, messageBox, runAction } from "../errors";
import { MAIL_LINK_PAGES } from "../routes";

/** What the development server's `GET /dev/mailbox.json` lists, newest first. */
interface Mail {
  to: string;
  subject: string;
  text: string;
  createdAt: string;
}

const MAILBOX_URL = "/dev/mailbox.json";
const LINK = /https?:\/\/[^\s<>"]+/g;

/**
 * The mails a development server wrote to its outbox (reset and verification
 * links), so the demo can be tried without a mail client. A server that sends
 * by SMTP (always in production) has no such list and answers 404.
 */
export function mailboxView(): HTMLElement {
  const messages = messageBox();
  const list = h("ul", { class: "rows", "aria-label": "Mails" });
  const load = async () => {
    const res = await fetch(MAILBOX_URL, { headers: { Accept: "application/json" }, cache: "no-store" });
    if (res.status === 404) {
      list.replaceChildren(h("li", { class: "row muted" }, "This server sends its mails by SMTP: they are in the recipients' mailboxes, not here."));
      return;
    }
    if (!res.ok) throw new FormError(`The mailbox could not be read (HTTP ${res.status}).`);
    const mails = (await res.json()) as Mail[];
    list.replaceChildren(...(mails.length ? mails.map(mailRow) : [h("li", { class: "row muted" }, "No mails yet.")]));
  };
  const reload = button("Reload", { class: "secondary" }, () => void runAction(reload, messages, load));
  void runAction(list, messages, load);
  return h(
    "section",
    { class: "card" },
    h("h1", { tabindex: -1 }, "Mailbox (development)"),
    h("p", { class: "muted" }, "The mails this development server wrote to its outbox, newest first. Anyone who can reach the server can read them."),
    list,
    messages.element,
    h("div", { class: "actions" }, reload, h("a", { href: "/" }, "Back to the demo")),
  );
}

function mailRow(mail: Mail): HTMLElement {
  return h(
    "li",
    { class: "row" },
    h(
      "div",
      {},
      h("p", { class: "row-title" }, mail.subject),
      h("p", { class: "muted" }, `To ${mail.to} · ${formatDate(mail.createdAt)}`),
      h("p", { class: "mail-text" }, ...withLinks(mail.text)),
    ),
  );
}

/** The text with each link made clickable; links to the app's mail pages open here, in this demo. */
function withLinks(text: string): Array<string | HTMLElement> {
  const parts: Array<string | HTMLElement> = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    parts.push(text.slice(last, match.index));
    parts.push(h("a", { href: inThisDemo(match[0]) }, match[0]));
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

/** The server's APP_URL may name another origin than this page's (the Vite dev server): keep the path, drop the origin. */
function inThisDemo(link: string): string {
  const url = new URL(link);
  return MAIL_LINK_PAGES.includes(url.pathname) ? `${url.pathname}${url.search}${url.hash}` : link;
}
