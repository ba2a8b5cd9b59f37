/**
 * The app's pages, by path. The server answers every one of them with the app
 * (a browser navigation to a path without a file extension), so links in
 * mails and reloads land on the right page.
 */
export type Route =
  | { page: "home" }
  | { page: "admin" }
  | { page: "mailbox" }
  | { page: "reset-password"; token: string }
  | { page: "verify-email"; token: string }
  | { page: "sign-in-code"; token: string };

/** The pages Gatehouse's mails link to (APP_URL + path + `?token=`). */
export const MAIL_LINK_PAGES: readonly string[] = ["/reset-password", "/verify-email", "/sign-in-code"];

/** Reads the address. A mail link's token is taken out of it at once, so it stays in neither the history nor a Referer. */
export function readRoute(): Route {
  const url = new URL(location.href);
  switch (url.pathname) {
    case "/reset-password":
    case "/verify-email":
    case "/sign-in-code": {
      const token = url.searchParams.get("token") ?? "";
      if (url.search) history.replaceState(null, "", url.pathname);
      return { page: url.pathname.slice(1) as "reset-password" | "verify-email" | "sign-in-code", token };
    }
    case "/admin":
      return { page: "admin" };
    case "/mailbox":
      return { page: "mailbox" };
    default:
      return { page: "home" };
  }
}

const listeners = new Set<(route: Route) => void>();

/** Follows the back and forward buttons, and `navigate`. */
export function onRouteChange(listener: (route: Route) => void): void {
  if (listeners.size === 0) window.addEventListener("popstate", () => listeners.forEach((l) => l(readRoute())));
  listeners.add(listener);
}

/** Goes to one of the app's own pages without reloading it. */
export function navigate(path: "/" | "/admin"): void {
  if (location.pathname !== path || location.search) history.pushState(null, "", path);
  const route = readRoute();
  listeners.forEach((listener) => listener(route));
}
