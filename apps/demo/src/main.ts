import "./style.css";
import { auth, setStepUpPrompt } from "./auth";
import { button, h } from "./dom";
import { describeError } from "./errors";
import { onRouteChange, readRoute, type Route } from "./routes";
import { appView, type AppPage, type AppView } from "./views/app";
import { mailboxView } from "./views/mailbox";
import { resetPasswordView, signInCodeView, verifyEmailView, type LeaveLinkPage } from "./views/link-pages";
import { signedOutView } from "./views/signed-out";
import { confirmPassword } from "./views/step-up";

const SESSION_ENDED = "Your session has ended. Please log in again.";
const LOGOUT_NOT_TOLD = "You are signed out here, but the server could not be told: the session may stay active until it expires.";

const root = document.querySelector<HTMLElement>("#app")!;
let route: Route = readRoute();
/** What the page shows now; the signed-in view is kept while the user and page stay, so refreshes update it in place. */
let screen: "loading" | "signed-out" | "app" | "link" | "mailbox" | "error" = "loading";
let app: (AppView & { userId: string; requested: AppPage }) | undefined;
/** The signed-out view to open next: the login form, or (from a reset page) the form that mails a new link. */
let signedOutMode: "login" | "forgot" = "login";

function show(next: typeof screen, view: HTMLElement): void {
  screen = next;
  if (next !== "app") app = undefined;
  root.replaceChildren(view);
  view.querySelector<HTMLElement>("h1")?.focus();
}

const LINK_PAGES = { "reset-password": resetPasswordView, "verify-email": verifyEmailView, "sign-in-code": signInCodeView };

const leaveLinkPage: LeaveLinkPage = (next) => {
  signedOutMode = next === "forgot" ? "forgot" : "login";
  history.pushState(null, "", "/");
  route = { page: "home" };
  render();
};

/** Shows what belongs to the address and the auth state; `notice` is said on the login page. */
function render(notice?: string): void {
  if (route.page === "reset-password" || route.page === "verify-email" || route.page === "sign-in-code") {
    // A mail link's page stays whatever happens to the session meanwhile; its button leads on.
    if (screen !== "link") show("link", LINK_PAGES[route.page](route.token, leaveLinkPage));
    return;
  }
  if (route.page === "mailbox") {
    // The development mailbox is for anyone, signed in or not.
    if (screen !== "mailbox") show("mailbox", mailboxView());
    return;
  }
  if (auth.status === "unknown") {
    if (screen !== "loading" && screen !== "error") show("loading", h("p", { class: "muted" }, "Checking your session…"));
    return;
  }
  const user = auth.user;
  if (!user) {
    if (screen !== "signed-out" || notice) show("signed-out", signedOutView(notice, signedOutMode));
    signedOutMode = "login";
    return;
  }
  const requested: AppPage = route.page === "admin" ? "admin" : "home";
  // Same user and page (a refresh, a profile change, another tab): keep the page and its forms.
  if (app?.userId === user.id && app.requested === requested) return app.state.set(user);
  const view = appView(user, requested, () => render(LOGOUT_NOT_TOLD));
  show("app", view.element);
  app = { ...view, userId: user.id, requested };
}

function showStartupError(error: unknown): void {
  const retry = button("Try again", {}, () => start());
  show(
    "error",
    h(
      "section",
      { class: "card narrow" },
      h("h1", { tabindex: -1 }, "Gatehouse demo"),
      h("div", { class: "message error", role: "alert" }, h("p", {}, describeError(error).message)),
      retry,
    ),
  );
}

function start(): void {
  render();
  // Usually answered at once: with no session the SDK sees no hint cookie and asks nothing.
  auth.restore().then(
    () => render(),
    (error: unknown) => {
      if (screen !== "link") showStartupError(error);
    },
  );
}

setStepUpPrompt(confirmPassword);
onRouteChange((next) => {
  route = next;
  render();
});

auth.subscribe((event) => {
  switch (event.type) {
    case "initial": // the restored session, or none (with a reason when it had ended)
      return render(event.reason ? SESSION_ENDED : undefined);
    case "session-lost": // revoked elsewhere, expired, password changed on another device…
      return render(SESSION_ENDED);
    default: // signed in or out (here or in another tab), a new token, a changed profile
      return render();
  }
});

start();
