import { button, h } from "../dom";

/**
 * The recovery codes, shown once: copy them all, or download them as a text
 * file, before leaving. A file is made in the browser; nothing is sent anywhere.
 */
export function recoveryCodesPanel(codes: string[], onDone: () => void): HTMLElement {
  const text = `Gatehouse recovery codes (each works once):\n\n${codes.join("\n")}\n`;
  const status = h("p", { class: "hint", role: "status" });
  const list = h("ul", { class: "codes", "aria-label": "Recovery codes" }, ...codes.map((c) => h("li", {}, h("code", {}, c))));

  const copy = button("Copy codes", { class: "secondary" }, () => {
    navigator.clipboard.writeText(text).then(
      () => (status.textContent = "Copied to the clipboard."),
      () => {
        // No clipboard access: select the codes so the person can copy them by hand.
        getSelection()?.selectAllChildren(list);
        status.textContent = "Press Ctrl+C (⌘C) to copy the selected codes.";
      },
    );
  });
  const download = button("Download as text file", { class: "secondary" }, () => {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const link = h("a", { href: url, download: "gatehouse-recovery-codes.txt", hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    // Revoked after the download has started, on a later turn.
    setTimeout(() => URL.revokeObjectURL(url), 0);
    status.textContent = "Downloaded gatehouse-recovery-codes.txt.";
  });

  return h(
    "div",
    { class: "stack" },
    h("p", { class: "strong", role: "status" }, "Two-factor authentication is on."),
    h("p", {}, "Save these recovery codes somewhere safe. Each one works once, if you lose your phone. They will not be shown again."),
    list,
    h("div", { class: "actions" }, copy, download),
    status,
    h("div", { class: "actions" }, button("I have saved them", {}, onDone)),
  );
}
