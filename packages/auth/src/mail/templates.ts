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

export function passwordResetMail(to: string, link: string): Mail {
  return compose(to, "Reset your password", [
    "Someone asked to reset the password of your account. If it was you, open this link within an hour:",
    link,
    "If it was not you, ignore this mail: your password stays as it is.",
  ]);
}

export function passwordChangedMail(to: string): Mail {
  return compose(to, "Your password was changed", [
    "The password of your account was just changed and your other sessions were signed out.",
    "If this was not you, reset your password now and contact your administrator.",
  ]);
}

export function verifyEmailMail(to: string, link: string): Mail {
  return compose(to, "Confirm your email address", ["Open this link within 24 hours to confirm your email address:", link]);
}
