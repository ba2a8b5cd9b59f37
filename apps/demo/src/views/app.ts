import { auth, type PublicUser } from "../auth";
import { button, h } from "../dom";
import { messageBox, runAction } from "../errors";
import { navigate } from "../routes";
import { userState, type UserState } from "../user-state";
import { activityView } from "./activity";
import { adminView } from "./admin";
import { apiKeysView } from "./api-keys";
import { linkedAccountsView } from "./linked-accounts";
import { passkeysView } from "./passkeys";
import { passwordView } from "./password";
import { profileView } from "./profile";
import { sessionsView } from "./sessions";
import { twoFactorView } from "./two-factor";

export type AppPage = "home" | "admin";

export interface AppView {
  element: HTMLElement;
  state: UserState;
  page: AppPage;
}

const PAGES: { page: AppPage; path: "/" | "/admin"; label: string; title: string; adminOnly: boolean }[] = [
  { page: "home", path: "/", label: "Account", title: "Your account", adminOnly: false },
  { page: "admin", path: "/admin", label: "Admin", title: "Admin", adminOnly: true },
];

/** The signed-in pages: the account (profile, two-factor, passkeys, sessions, API keys, password, activity) and, for admins, the admin area. */
export function appView(user: PublicUser, requested: AppPage, onLogoutFailed: () => void): AppView {
  const state = userState(user);
  const messages = messageBox();
  const current = PAGES.find((p) => p.page === requested && (!p.adminOnly || user.role === "admin")) ?? PAGES[0]!;
  const who = h("span", { class: "who" });
  const drawWho = (u: PublicUser) => who.replaceChildren("Signed in as ", h("strong", {}, u.name ?? u.email));
  state.subscribe(drawWho);
  drawWho(user);

  // The SDK signs out here and in every other tab even if the server cannot be told.
  const logout = button("Log out", { class: "secondary" }, () => void runAction(logout, messages, () => auth.logout().catch(onLogoutFailed)));

  const links = PAGES.filter((p) => !p.adminOnly || user.role === "admin").map((p) => {
    const link = h("a", { href: p.path, "aria-current": p === current ? "page" : null }, p.label);
    link.addEventListener("click", (event) => {
      event.preventDefault();
      navigate(p.path);
    });
    return link;
  });

  const content =
    current.page === "admin"
      ? adminView()
      : h(
          "div",
          { class: "grid" },
          profileView(state),
          twoFactorView(state),
          passkeysView(),
          linkedAccountsView(),
          sessionsView(),
          apiKeysView(),
          passwordView(),
          activityView(),
        );

  const element = h(
    "div",
    { class: "app" },
    h(
      "header",
      { class: "topbar" },
      h("h1", { tabindex: -1 }, current.title),
      links.length > 1 ? h("nav", { "aria-label": "Pages", class: "pages" }, ...links) : null,
      h("div", { class: "topbar-end" }, who, logout),
    ),
    messages.element,
    content,
  );
  return { element, state, page: current.page };
}
