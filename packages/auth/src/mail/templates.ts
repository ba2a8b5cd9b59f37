import type { Mail } from "./mailer.js";

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** A paragraph that is a link: the URL itself in the text body, a clickable `<a href>` in the HTML body. */
interface LinkParagraph {
  link: string;
  label: string;
}

const asText = (p: string | LinkParagraph): string => (typeof p === "string" ? p : p.link);
const asHtml = (p: string | LinkParagraph): string =>
  typeof p === "string"
    ? `<p>${escapeHtml(p)}</p>`
    : // The address is shown too, for mail clients that hide or rewrite links.
      `<p><a href="${escapeHtml(p.link)}">${escapeHtml(p.label)}</a></p><p>${escapeHtml(p.link)}</p>`;

/** Text and HTML from the same paragraphs, so the two bodies never drift apart. */
function compose(to: string, subject: string, paragraphs: Array<string | LinkParagraph>): Mail {
  return {
    to,
    subject,
    text: `${paragraphs.map(asText).join("\n\n")}\n\n— Gatehouse`,
    html: `<!doctype html><html><body>${paragraphs.map(asHtml).join("")}<p>— Gatehouse</p></body></html>`,
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
    { link, label: "Choose a new password" },
    "If it was not you, ignore this mail: your password stays as it is.",
  ]);
}

export function passwordChangedMail(to: string): Mail {
  return compose(to, "Your password was changed", [
    "The password of your account was just changed. Your other sessions were signed out, and no browser or app is remembered any more for signing in.",
    "If this was not you, reset your password now and contact your administrator.",
  ]);
}

export function verifyEmailMail(to: string, link: string): Mail {
  return compose(to, "Confirm your email address", [
    "Open this link within 24 hours to confirm your email address:",
    { link, label: "Confirm your email address" },
    "If you did not sign up, ignore this mail. If an account was made with your address without you, confirming it signs everyone out of it, and resetting its password then gives it to you.",
  ]);
}

/** What a proof of mailbox control (a reset, a first confirmation) ended on the account. */
export interface EndedAccess {
  /** API keys that stopped working. */
  apiKeys: number;
  /** The two-factor setup (TOTP and its recovery codes) was removed. */
  secondFactor: boolean;
  /** The session that opened the link, signed in to this account, went on. */
  keptSession?: boolean;
}

function endedLines(ended: EndedAccess): string[] {
  return [
    ended.keptSession
      ? "- every other session was signed out, on every browser and app (the one you confirmed from stays signed in);"
      : "- every session was signed out, on every browser and app;",
    "- no browser or app is remembered any more for signing in (each must sign in again with the password);",
    ...(ended.apiKeys > 0 ? [`- ${ended.apiKeys === 1 ? "1 API key was" : `${ended.apiKeys} API keys were`} revoked;`] : []),
    ...(ended.secondFactor ? ["- two-factor authentication was removed, with its recovery codes: set it up again in your settings;"] : []),
  ];
}

export function passwordResetDoneMail(to: string, ended: EndedAccess): Mail {
  return compose(to, "Your password was reset", [
    "The password of your account was just reset with a link sent to this address. To keep anyone who had access out:",
    endedLines(ended).join("\n"),
    "If this was not you, reset your password again now and contact your administrator.",
  ]);
}

export function emailConfirmedMail(to: string, ended: EndedAccess): Mail {
  return compose(to, "Your email address was confirmed", [
    "This address was just confirmed for your account. Anything set up on the account before the address was confirmed could have been set up by someone else, so:",
    endedLines(ended).join("\n"),
    'Sign in again where you were signed out. If you did not create this account or choose its password, reset the password now ("Forgot password"): the account is yours.',
  ]);
}

export function emailSignInCodeMail(to: string, code: string, link: string): Mail {
  return compose(to, "Your sign-in code", [
    `Your sign-in code is ${code}. Enter it where you asked for it, or open this link on the device you want to sign in on:`,
    { link, label: "Sign in" },
    "The code and the link work once, within 10 minutes. If you did not ask to sign in, ignore this mail: nobody can sign in without it.",
  ]);
}
