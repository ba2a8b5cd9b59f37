import { toDataURL } from "qrcode";
import { auth } from "../auth";
import { button, card, field, h } from "../dom";
import { messageBox, onSubmit, runAction } from "../errors";
import type { UserState } from "../user-state";
import { recoveryCodesPanel } from "./recovery-codes";

/** Groups a base32 secret in fours, as authenticator apps show it. */
const groupSecret = (secret: string): string => secret.replace(/(.{4})(?=.)/g, "$1 ");

/**
 * Two-factor authentication with a TOTP app: set up (step-up) → scan the QR
 * code or type the secret → confirm with a code → recovery codes, shown once.
 * When it is on: turn it off with a code. The SDK updates the user (and every
 * tab) when it changes.
 */
export function twoFactorView(state: UserState): HTMLElement {
  const messages = messageBox();
  const body = h("div", { class: "stack" });

  const offPanel = (): HTMLElement[] => {
    const start = button(
      "Set up two-factor authentication",
      {},
      () =>
        void runAction(start, messages, async () => {
          const { secret, otpauthUrl } = await auth.mfa.setupTotp();
          body.replaceChildren(...(await setupPanel(secret, otpauthUrl)));
          body.querySelector<HTMLElement>("img")?.scrollIntoView({ block: "nearest" });
        }),
    );
    return [h("p", {}, "Two-factor authentication is off. Add a code from an authenticator app to every login."), h("div", { class: "actions" }, start)];
  };

  const setupPanel = async (secret: string, otpauthUrl: string): Promise<HTMLElement[]> => {
    // A data: URL image (the page's CSP allows img-src data:); rendered here, never sent anywhere.
    const qr = h("img", {
      class: "qr",
      width: 200,
      height: 200,
      alt: "QR code for your authenticator app",
      src: await toDataURL(otpauthUrl, { width: 200, margin: 1, errorCorrectionLevel: "M" }),
    });
    const code = field("Code from the app", {
      name: "code",
      inputmode: "numeric",
      autocomplete: "one-time-code",
      required: true,
      minlength: 6,
      maxlength: 6,
      pattern: "[0-9]{6}",
    });
    const form = h(
      "form",
      { class: "stack" },
      code.element,
      h(
        "div",
        { class: "actions" },
        h("button", { type: "submit" }, "Turn on two-factor"),
        button("Cancel", { class: "secondary" }, () => draw()),
      ),
    );
    onSubmit(form, messages, async () => {
      const { recoveryCodes } = await auth.mfa.enableTotp({ code: code.input.value.trim() });
      body.replaceChildren(recoveryCodesPanel(recoveryCodes, () => draw()));
    });
    return [
      h("ol", { class: "steps" }, h("li", {}, "Scan this QR code with an authenticator app."), h("li", {}, "Enter the 6-digit code it shows.")),
      h("div", { class: "qr-box" }, qr, h("p", {}, "Can't scan it? Enter this key in the app:", h("br"), h("code", { class: "secret" }, groupSecret(secret)))),
      form,
    ];
  };

  const onPanel = (): HTMLElement[] => {
    const code = field(
      "Code to turn it off",
      { name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true, minlength: 6, maxlength: 32 },
      "A current code from your app, or a recovery code.",
    );
    const form = h("form", { class: "inline-form" }, code.element, h("button", { type: "submit", class: "danger" }, "Turn off two-factor"));
    onSubmit(form, messages, async () => {
      await auth.mfa.disableTotp({ code: code.input.value.trim() });
      messages.info("Two-factor authentication is off.");
    });
    return [h("p", {}, "Two-factor authentication is on: logins ask for a code from your authenticator app."), form];
  };

  let shownState: boolean | undefined;
  const draw = () => {
    shownState = state.get().mfaEnabled;
    body.replaceChildren(...(shownState ? onPanel() : offPanel()));
  };
  // Redraw when the setting changes (not on every profile update: a setup in progress or codes on screen stay).
  state.subscribe((user) => {
    if (user.mfaEnabled !== shownState && !body.querySelector(".codes")) draw();
  });
  draw();
  return card("Two-factor authentication", body, messages.element);
}
