import { auth } from "../auth";
import { button, card, field, formatDate, h } from "../dom";
import { messageBox, onSubmit, runAction } from "../errors";
import type { UserState } from "../user-state";

/** Who is signed in, the one field a user may change (the name), and confirming the email address. */
export function profileView(state: UserState): HTMLElement {
  const messages = messageBox();
  const details = h("dl", { class: "details" });
  const verification = h("div", { class: "verify-box" });

  const sendLink = button(
    "Send verification email",
    { class: "secondary" },
    () =>
      void runAction(sendLink, messages, async () => {
        await auth.requestEmailVerification();
        messages.info(`We sent a link to ${state.get().email}. Open it within 24 hours to confirm your address.`);
      }),
  );

  const draw = () => {
    const user = state.get();
    const row = (term: string, value: string) => [h("dt", {}, term), h("dd", {}, value)];
    details.replaceChildren(
      ...row("Name", user.name ?? "—"),
      ...row("Email", user.email),
      ...row("Email verified", user.emailVerified ? "Yes" : "No"),
      ...row("Role", user.role),
      ...row("Two-factor", user.mfaEnabled ? "On" : "Off"),
      ...row("Member since", formatDate(user.createdAt)),
    );
    verification.replaceChildren(
      ...(user.emailVerified
        ? []
        : [h("p", { class: "hint" }, "Your email address is not confirmed yet. We mail you a link; opening it confirms the address."), sendLink]),
    );
  };
  state.subscribe(draw);
  draw();

  const name = field("Display name", { name: "name", autocomplete: "name", required: true, maxlength: 100, value: state.get().name ?? "" });
  const form = h("form", { class: "inline-form" }, name.element, h("button", { type: "submit" }, "Save name"));
  onSubmit(form, messages, async () => {
    // The SDK announces the new record (user-updated), here and in the other tabs.
    await auth.users.update({ name: name.input.value });
    messages.info("Name saved.");
  });

  // The user in the access token's answer may be a few minutes old: ask the server.
  void auth.api.auth.me.query().then(
    ({ user }) => state.set(user),
    (error: unknown) => messages.error(error),
  );

  return card("Profile", details, verification, form, messages.element);
}
