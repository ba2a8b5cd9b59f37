import { auth, type PublicUser } from "../auth";
import { button, h } from "../dom";
import { messageBox, runAction } from "../errors";
import { userState, type UserState } from "../user-state";
import { apiKeysView } from "./api-keys";
import { passwordView } from "./password";
import { profileView } from "./profile";
import { sessionsView } from "./sessions";
import { twoFactorView } from "./two-factor";

export interface AppView {
  element: HTMLElement;
  state: UserState;
}

/** The signed-in page: who you are, your sessions, API keys, password and two-factor. */
export function appView(user: PublicUser, onLogoutFailed: () => void): AppView {
  const state = userState(user);
  const messages = messageBox();
  const who = h("span", { class: "who" });
  const drawWho = (u: PublicUser) => who.replaceChildren("Signed in as ", h("strong", {}, u.name ?? u.email));
  state.subscribe(drawWho);
  drawWho(user);

  // The SDK signs out here and in every other tab even if the server cannot be told.
  const logout = button("Log out", { class: "secondary" }, () => void runAction(logout, messages, () => auth.logout().catch(onLogoutFailed)));

  const element = h(
    "div",
    { class: "app" },
    h("header", { class: "topbar" }, h("h1", { tabindex: -1 }, "Your account"), h("div", { class: "topbar-end" }, who, logout)),
    messages.element,
    h("div", { class: "grid" }, profileView(state), twoFactorView(state), sessionsView(), apiKeysView(state), passwordView()),
  );
  return { element, state };
}
