import { auth, type PublicUser } from "../auth";
import { callOperation, parseInput, type CallAnswer } from "../console/call";
import { exampleOf, operationsOf, type ApiDocument, type ConsoleOperation } from "../console/operations";
import { button, checkbox, h, uniqueId } from "../dom";
import { messageBox, runAction } from "../errors";

/**
 * The procedure console: pick any procedure /openapi.json describes, edit its
 * input as JSON, send it with this browser's session (the SDK's in-memory
 * access token) or without, and read the status, headers and answer.
 */
export function consoleView(): HTMLElement {
  const messages = messageBox();
  const session = h("p", { class: "muted", role: "status" }, "Checking your session…");
  let user: PublicUser | null = null;

  const selectId = uniqueId("procedure");
  const select = h("select", { id: selectId, name: "procedure", disabled: true }, h("option", {}, "Loading procedures…"));
  const about = h("div", { class: "console-about" });
  const inputId = uniqueId("input");
  const inputHint = h("p", { id: `${inputId}-hint`, class: "hint" });
  const input = h("textarea", { id: inputId, name: "input", class: "mono console-input", rows: 8, spellcheck: false, "aria-describedby": `${inputId}-hint` });
  const useToken = checkbox("Send my access token (Authorization: Bearer)", { name: "useToken", value: "yes" });
  const tokenMode = checkbox("Token mode (X-Auth-Mode: token): refresh token in the body, no cookie", { name: "tokenMode", value: "yes" });
  const answer = h("section", { class: "card console-answer", "aria-labelledby": "console-answer-title", hidden: true });

  let operations: ConsoleOperation[] = [];
  let doc: ApiDocument | undefined;
  const current = (): ConsoleOperation | undefined => operations.find((operation) => operation.id === select.value);

  const prefill = (): void => {
    const operation = current();
    input.value = operation?.input && doc ? JSON.stringify(exampleOf(operation.input.schema, doc), null, 2) : "";
  };

  const drawOptions = (): void => {
    const operation = current();
    if (!operation) return;
    about.replaceChildren(
      h("p", {}, h("strong", {}, `${operation.method} ${operation.path}`), ` · ${operation.summary}`),
      ...operation.description.split("\n\n").map((paragraph) => h("p", { class: "hint" }, paragraph)),
    );
    input.disabled = !operation.input;
    inputHint.textContent = operation.input
      ? operation.input.required
        ? "Required. Prefilled from the input schema: edit it."
        : "Optional: leave it empty to send none."
      : "This procedure takes no input.";
    useToken.input.disabled = !user || !operation.acceptsAccessToken;
    useToken.input.checked = !useToken.input.disabled;
    // On by default: a sign-in from the console answers its tokens here instead of replacing this browser's session cookie.
    tokenMode.input.disabled = !operation.takesAuthMode;
    tokenMode.input.checked = operation.takesAuthMode;
    history.replaceState(null, "", `#${operation.id}`);
  };

  const drawSession = (): void => {
    session.textContent = user
      ? `Signed in as ${user.email}: calls can carry your access token.`
      : "Not signed in: public procedures work; for the others, log in to the app first.";
    drawOptions();
  };

  const drawAnswer = (operation: ConsoleOperation, result: CallAnswer): void => {
    answer.replaceChildren(
      h("h2", { id: "console-answer-title", tabindex: -1 }, "Response"),
      h("p", { class: "console-status", role: "status" }, h("strong", {}, `${result.status} ${result.statusText}`), ` · ${operation.method} ${operation.path}`),
      h("h3", {}, "Body"),
      h("pre", { class: "mono console-body", tabindex: 0, "aria-label": "Response body" }, result.body),
      h("h3", {}, "Headers"),
      h(
        "table",
        { class: "console-headers" },
        h("tbody", {}, ...result.headers.map(([name, value]) => h("tr", {}, h("th", { scope: "row" }, name), h("td", { class: "mono" }, value)))),
      ),
    );
    answer.hidden = false;
  };

  select.addEventListener("change", () => {
    drawOptions();
    prefill();
  });

  const form = h(
    "form",
    { class: "stack" },
    h("div", { class: "field" }, h("label", { for: selectId }, "Procedure"), select),
    about,
    h("div", { class: "field" }, h("label", { for: inputId }, "Input (JSON)"), input, inputHint),
    useToken.element,
    tokenMode.element,
    messages.element,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Send"), button("Reset input", { class: "secondary" }, prefill)),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const operation = current();
    if (!operation) return;
    void runAction(form, messages, async () => {
      const parsed = parseInput(operation, input.value);
      const accessToken = useToken.input.checked && !useToken.input.disabled ? await auth.getAccessToken() : null;
      drawAnswer(operation, await callOperation(operation, parsed, { accessToken, tokenMode: tokenMode.input.checked && !tokenMode.input.disabled }));
    });
  });

  void runAction(select, messages, async () => {
    const response = await fetch("/openapi.json");
    if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
    doc = (await response.json()) as ApiDocument;
    operations = operationsOf(doc);
    const groups = [...new Set(operations.map((operation) => operation.group))];
    select.replaceChildren(
      ...groups.map((group) =>
        h("optgroup", { label: group }, ...operations.filter((o) => o.group === group).map((o) => h("option", { value: o.id }, `${o.id} (${o.method})`))),
      ),
    );
    const named = decodeURIComponent(location.hash.slice(1));
    select.value = operations.some((operation) => operation.id === named) ? named : operations[0]!.id;
    drawOptions();
    prefill();
  }).then(() => (select.disabled = operations.length === 0));

  // The session this page's SDK holds: one silent refresh restores it after a reload.
  auth.subscribe((event) => {
    user = event.type === "signed-in" || event.type === "refreshed" ? event.user : null;
    drawSession();
  });
  auth.restore().then(
    (restored) => {
      user = restored;
      drawSession();
    },
    (error: unknown) => messages.error(error),
  );

  return h(
    "div",
    { class: "app" },
    h("header", { class: "topbar" }, h("h1", { tabindex: -1 }, "API console"), h("a", { href: "/" }, "Back to your account")),
    h("section", { class: "card", "aria-label": "Request" }, session, form),
    answer,
  );
}
