import type { Mail } from "./mailer.js";

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** Text and HTML from the same paragraphs, so the two bodies never drift apart. */
function compose(to: string, subject: string, paragraphs: string[]): Mail {
  return {
    to,
    subject,
    text: `${paragraphs.join("\n\n")}\n\n— Gatehouse`,
    html: `<!doctype html><html><body>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("")}<p>— Gatehouse</p></body></html>`,
  };
}

export function accountLockedMail(to: string): Mail {
  return compose(to, "Your account has been locked", [
    "An administrator locked your account to protect it. All of your sessions were signed out and your API keys were suspended.",
    "If you did not expect this, contact your administrator. Once the account is unlocked you can sign in again; replace your API keys then.",
  ]);
}
