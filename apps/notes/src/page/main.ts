import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { authLink, createAuthClient, GatehouseError, reasonOf, type StepUpRequest } from "@gatehouse/client";
import type { NotesRouter } from "../router.js";

const gatehouseUrl = document.querySelector<HTMLMetaElement>('meta[name="gatehouse-url"]')!.content;
const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Asks for the password again when the notes API answers reauth_required; the SDK then retries the call. */
function confirmPassword({ user, reauthenticate }: StepUpRequest): Promise<void> {
  const dialog = element<HTMLDialogElement>("step-up");
  const form = dialog.querySelector("form")!;
  const error = element("step-up-error");
  element("step-up-code").hidden = !user?.mfaEnabled;
  error.textContent = "";
  form.reset();
  return new Promise((resolve, reject) => {
    const onSubmit = async (event: SubmitEvent) => {
      if ((event.submitter as HTMLButtonElement | null)?.value === "cancel") return; // the dialog closes itself
      event.preventDefault();
      const data = new FormData(form);
      try {
        await reauthenticate({ password: String(data.get("password")), ...(data.get("code") ? { code: String(data.get("code")) } : {}) });
      } catch (failure) {
        error.textContent =
          failure instanceof GatehouseError && failure.reason === "invalid_credentials"
            ? "That password is incorrect."
            : `Refused: ${reasonOf(failure) ?? "network"}`;
        return;
      }
      finish();
      dialog.close();
      resolve();
    };
    const onClose = () => {
      finish();
      reject(new Error("cancelled"));
    };
    const finish = () => {
      form.removeEventListener("submit", onSubmit);
      dialog.removeEventListener("close", onClose);
    };
    form.addEventListener("submit", onSubmit);
    dialog.addEventListener("close", onClose);
    dialog.showModal();
  });
}

// Gatehouse in cookie mode: the refresh token stays in its HttpOnly cookie, the access token in memory.
const auth = createAuthClient({ url: `${gatehouseUrl}/trpc`, onReauthRequired: confirmPassword });
const notes = createTRPCClient<NotesRouter>({ links: [authLink(auth), httpBatchLink({ url: "/trpc", headers: auth.authHeaders })] });

const status = (text: string) => void (element("status").textContent = text);
const refused = (error: unknown) => status(`Refused: ${reasonOf(error) ?? (error instanceof Error ? error.message : "error")}`);

async function showNotes(): Promise<void> {
  const list = element<HTMLUListElement>("list");
  list.replaceChildren(...(await notes.notes.list.query()).map((note) => Object.assign(document.createElement("li"), { textContent: note.text })));
}

function render(): void {
  const user = auth.user;
  element("sign-in").hidden = user !== null;
  element("notes").hidden = user === null;
  element("who").textContent = user ? `Signed in as ${user.email} (${user.role})` : "";
  if (user) showNotes().catch(refused);
}

auth.subscribe((event) => {
  if (event.type === "session-lost") status("Your session has ended; sign in again.");
  if (event.type !== "refreshed") render();
});

element<HTMLFormElement>("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  const data = new FormData(form);
  const credentials = { email: String(data.get("email")), password: String(data.get("password")) };
  status("");
  try {
    if ((event.submitter as HTMLButtonElement).value === "signup") await auth.signup(credentials);
    else await auth.login(credentials);
    form.reset();
  } catch (error) {
    refused(error);
  }
});

element<HTMLFormElement>("add").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target as HTMLFormElement;
  try {
    await notes.notes.add.mutate({ text: String(new FormData(form).get("text")) });
    form.reset();
    status("");
    await showNotes();
  } catch (error) {
    refused(error);
  }
});

const onClick = (id: string, action: () => Promise<void>) =>
  element(id).addEventListener("click", () => {
    status("");
    action().catch(refused);
  });

onClick("reload", showNotes);
onClick("clear", async () => {
  const { removed } = await notes.notes.clear.mutate();
  status(`Deleted ${removed} note${removed === 1 ? "" : "s"}.`);
  await showNotes();
});
onClick("stats", async () => {
  element("stats-result").textContent = "";
  const { authors, notes: count } = await notes.notes.stats.query();
  element("stats-result").textContent = `${count} notes by ${authors} people`;
});
onClick("sign-out", () => auth.logout());

auth.restore().then(render, refused);
