import { auth } from "../auth";
import { card, field, formatDate, h } from "../dom";
import { messageBox, onSubmit } from "../errors";
import type { UserState } from "../user-state";

/** Who is signed in (auth.me), and the one field a user may change: the name. */
export function profileView(state: UserState): HTMLElement {
  const details = h("dl", { class: "details" });
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
  };
  state.subscribe(draw);
  draw();

  const messages = messageBox();
  const name = field("Display name", { name: "name", autocomplete: "name", required: true, maxlength: 100, value: state.get().name ?? "" });
  const form = h("form", { class: "inline-form" }, name.element, h("button", { type: "submit" }, "Save name"));
  onSubmit(form, messages, async () => {
    const { user } = await auth.api.users.update.mutate({ name: name.input.value });
    state.set(user);
    messages.info("Name saved.");
  });

  // The user in the access token's answer may be a few minutes old: ask the server.
  void auth.api.auth.me.query().then(({ user }) => state.set(user), (error: unknown) => messages.error(error));

  return card("Profile", details, form, messages.element);
}
