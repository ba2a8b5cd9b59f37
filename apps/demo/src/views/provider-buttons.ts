import { auth } from "../auth";
import { button, h } from "../dom";
import type { MessageBox } from "../errors";

/**
 * "Sign in with …" buttons for the providers the server is configured with
 * (none: nothing is shown). Each sends the browser to the provider; it comes
 * back to this page signed in, or with the reason it did not work.
 */
export function providerButtons(messages: MessageBox): HTMLElement {
  const list = h("div", { class: "providers", role: "group", "aria-label": "Sign in with a provider" });
  auth.oauthProviders().then(
    (providers) => {
      if (providers.length === 0) return;
      list.replaceChildren(
        h("p", { class: "divider" }, "or"),
        ...providers.map(({ id, name }) =>
          button(`Sign in with ${name}`, { class: "secondary provider", "data-provider": id }, () => auth.signInWithProvider(id, { returnTo: "/" })),
        ),
      );
    },
    (error: unknown) => messages.error(error),
  );
  return list;
}
