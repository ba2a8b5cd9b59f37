import "./style.css";
import { auth, setStepUpPrompt, type PublicUser } from "./auth";
import { button, h } from "./dom";
import { describeError } from "./errors";
import { appView, type AppView } from "./views/app";
import { signedOutView } from "./views/signed-out";
import { confirmPassword } from "./views/step-up";

const root = document.querySelector<HTMLElement>("#app")!;
/** What the page shows now; `app` keeps the signed-in view so that refreshes update it in place. */
let screen: "loading" | "signed-out" | "app" | "error" = "loading";
let app: (AppView & { userId: string }) | undefined;

function show(next: typeof screen, view: HTMLElement): void {
  screen = next;
  if (next !== "app") app = undefined;
  root.replaceChildren(view);
  view.querySelector<HTMLElement>("h1")?.focus();
}

function showSignedIn(user: PublicUser): void {
  // Same user (a refresh, or another tab's login to the same account): keep the page and its forms.
  if (app?.userId === user.id) return app.state.set(user);
  const view = appView(user, () => showSignedOut("You are signed out here, but the server could not be told: the session may stay active until it expires."));
  show("app", view.element);
  app = { ...view, userId: user.id };
}

function showSignedOut(notice?: string): void {
  if (screen === "signed-out" && !notice) return;
  show("signed-out", signedOutView(notice));
}

function showStartupError(error: unknown): void {
  const retry = button("Try again", {}, () => start());
  show("error", h("section", { class: "card narrow" }, h("h1", { tabindex: -1 }, "Gatehouse demo"), h("div", { class: "message error", role: "alert" }, h("p", {}, describeError(error).message)), retry));
}

function start(): void {
  show("loading", h("p", { class: "muted" }, "Checking your session…"));
  // One silent refresh: the HttpOnly cookie, if any, brings the session back after a reload.
  auth.restore().then(
    (user) => (user ? showSignedIn(user) : showSignedOut()),
    (error: unknown) => showStartupError(error),
  );
}

setStepUpPrompt(confirmPassword);

auth.subscribe((event) => {
  switch (event.type) {
    case "signed-in": // login, signup, two-factor, restore, or a login in another tab
      showSignedIn(event.user);
      return;
    case "refreshed": // a new access token; the user record may have changed
      if (app) showSignedIn(event.user);
      return;
    case "signed-out": // here or in another tab, or no session on restore
      showSignedOut();
      return;
    case "session-lost": // revoked elsewhere, expired, password changed on another device…
      showSignedOut("Your session has ended. Please log in again.");
      return;
  }
});

start();
