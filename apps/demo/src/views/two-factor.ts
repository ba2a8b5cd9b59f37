import { toDataURL } from "qrcode";
import { auth, withStepUp } from "../auth";
import { button, card, field, h } from "../dom";
import { messageBox, onSubmit, runAction } from "../errors";
import type { UserState } from "../user-state";

/** Groups a base32 secret in fours, as authenticator apps show it. */
const groupSecret = (secret: string): string => secret.replace(/(.{4})(?=.)/g, "$1 ");

/**
 * Two-factor authentication with a TOTP app: set up (step-up) → scan the QR
 * code or type the secret → confirm with a code → recovery codes, shown once.
 * When it is on: turn it off with a code.
 */
export function twoFactorView(state: UserState): HTMLElement {
  const messages = messageBox();
  const body = h("div", { class: "stack" });
  const refreshUser = async () => state.set((await auth.api.auth.me.query()).user);

  const offPanel = (): HTMLElement[] => {
    const start = button("Set up two-factor authentication", {}, () =>
      void runAction(start, messages, async () => {
        const { secret, otpauthUrl } = await withStepUp(state.get(), () => auth.api.mfa.setupTotp.mutate());
        body.replaceChildren(...(await setupPanel(secret, otpauthUrl)));
      }),
    );
    return [h("p", {}, "Two-factor authentication is off. Add a code from an authenticator app to every login."), h("div", { class: "actions" }, start)];
  };

  const setupPanel = async (secret: string, otpauthUrl: string): Promise<HTMLElement[]> => {
    // A data: URL image (the page's CSP allows img-src data:); rendered here, never sent anywhere.
    const qr = h("img", { class: "qr", width: 200, height: 200, alt: "QR code for your authenticator app", src: await toDataURL(otpauthUrl, { width: 200, margin: 1, errorCorrectionLevel: "M" }) });
    const code = field("Code from the app", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true, minlength: 6, maxlength: 6, pattern: "[0-9]{6}" });
    const form = h("form", { class: "stack" }, code.element, h("div", { class: "actions" }, h("button", { type: "submit" }, "Turn on two-factor"), button("Cancel", { class: "secondary" }, () => draw())));
    onSubmit(form, messages, async () => {
      const { recoveryCodes } = await auth.api.mfa.enableTotp.mutate({ code: code.input.value.trim() });
      body.replaceChildren(...recoveryPanel(recoveryCodes));
      await refreshUser();
    });
    return [
      h("ol", { class: "steps" }, h("li", {}, "Scan this QR code with an authenticator app."), h("li", {}, "Enter the 6-digit code it shows.")),
      h("div", { class: "qr-box" }, qr, h("p", {}, "Can't scan it? Enter this key in the app:", h("br"), h("code", { class: "secret" }, groupSecret(secret)))),
      form,
    ];
  };

  const recoveryPanel = (codes: string[]): HTMLElement[] => [
    h("p", { class: "strong", role: "status" }, "Two-factor authentication is on."),
    h("p", {}, "Save these recovery codes somewhere safe. Each one works once, if you lose your phone. They will not be shown again."),
    h("ul", { class: "codes", "aria-label": "Recovery codes" }, ...codes.map((c) => h("li", {}, h("code", {}, c)))),
    h("div", { class: "actions" }, button("I have saved them", {}, () => draw())),
  ];

  const onPanel = (): HTMLElement[] => {
    const code = field("Code to turn it off", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true, minlength: 6, maxlength: 32 }, "A current code from your app, or a recovery code.");
    const form = h("form", { class: "inline-form" }, code.element, h("button", { type: "submit", class: "danger" }, "Turn off two-factor"));
    onSubmit(form, messages, async () => {
      await withStepUp(state.get(), () => auth.api.mfa.disableTotp.mutate({ code: code.input.value.trim() }));
      await refreshUser();
      messages.info("Two-factor authentication is off.");
    });
    return [h("p", {}, "Two-factor authentication is on: logins ask for a code from your authenticator app."), form];
  };

  let shownState: boolean | undefined;
  const draw = () => {
    shownState = state.get().mfaEnabled;
    body.replaceChildren(...(shownState ? onPanel() : offPanel()));
  };
  // Redraw when the setting changes (not on every profile update: a setup in progress stays).
  state.subscribe((user) => {
    if (user.mfaEnabled !== shownState && !body.querySelector(".codes")) draw();
  });
  draw();
  return card("Two-factor authentication", body, messages.element);
}
