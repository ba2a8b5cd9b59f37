import type { GatehouseOutputs } from "@gatehouse/client";
import { auth } from "../auth";
import { button, card, formatDate, h } from "../dom";
import { messageBox, runAction } from "../errors";
import { takeProviderOutcome } from "../provider-return";
import { confirmAction } from "./confirm";

type Provider = GatehouseOutputs["auth"]["oauthProviders"][number];
type Linked = GatehouseOutputs["accounts"]["list"][number];

/** The providers linked to the account: link one (the provider's page, then back here), unlink one (both need a recent password). */
export function linkedAccountsView(): HTMLElement {
  const messages = messageBox();
  const list = h("ul", { class: "rows", "aria-label": "Linked accounts" });
  let providers: Provider[] = [];

  const load = async () => {
    const [configured, linked] = await Promise.all([auth.oauthProviders(), auth.accounts.list()]);
    providers = configured;
    const rows = configured.map((provider) =>
      row(
        provider,
        linked.find((account) => account.provider === provider.id),
      ),
    );
    // An identity of a provider no longer configured can still be unlinked.
    const orphans = linked
      .filter((account) => !configured.some((p) => p.id === account.provider))
      .map((account) => row({ id: account.provider, name: account.provider }, account));
    list.replaceChildren(...rows, ...orphans);
    if (rows.length + orphans.length === 0) list.replaceChildren(h("li", { class: "muted" }, "No sign-in providers are configured on this server."));
  };

  const row = (provider: Provider, linked: Linked | undefined): HTMLElement => {
    const action = linked
      ? button("Unlink", { class: "secondary", "aria-label": `Unlink ${provider.name}` })
      : button("Link", { "aria-label": `Link ${provider.name}` });
    action.addEventListener(
      "click",
      () =>
        void runAction(action, messages, async () => {
          if (!linked) {
            // The provider's page, then its callback links and returns here with ?linked=<provider>.
            location.assign((await auth.accounts.linkStart({ provider: provider.id })).authorizationUrl);
            return;
          }
          if (
            !(await confirmAction({
              title: `Unlink ${provider.name}?`,
              text: `You will no longer be able to sign in with ${provider.name}.`,
              confirm: "Unlink",
            }))
          )
            return;
          await auth.accounts.unlink({ provider: provider.id });
          await load();
          messages.info(`${provider.name} is unlinked.`);
        }),
    );
    return h(
      "li",
      { class: "row" },
      h(
        "div",
        {},
        h("p", { class: "row-title" }, provider.name),
        h("p", { class: "muted" }, linked ? `${linked.email ?? "no email shared"} · linked ${formatDate(linked.linkedAt)}` : "Not linked"),
      ),
      action,
    );
  };

  const returned = { linked: takeProviderOutcome("linked"), error: takeProviderOutcome("error") };
  void runAction(list, messages, async () => {
    await load();
    if (returned.error) messages.error(returned.error);
    else if (returned.linked)
      messages.info(`${providers.find((p) => p.id === returned.linked)?.name ?? returned.linked} is linked: you can sign in with it now.`);
  });
  return card(
    "Linked accounts",
    h(
      "p",
      { class: "muted" },
      "Providers you can sign in with. An account made with a provider has no password until you set one with “Forgot password?”; until then, confirm it's you by signing in with the provider again.",
    ),
    list,
    messages.element,
  );
}
