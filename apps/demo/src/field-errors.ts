/**
 * Errors tied to their fields: the message sits under the input, the input is
 * `aria-invalid` and described by it, so a screen reader reads it with the
 * field, and it goes away as soon as the person edits the field.
 */

const errorIdOf = (input: HTMLElement): string => `${input.id}-error`;

export function showFieldError(input: HTMLInputElement | HTMLSelectElement, message: string): void {
  clearFieldError(input);
  const error = document.createElement("p");
  error.id = errorIdOf(input);
  error.className = "field-error";
  error.textContent = message;
  input.after(error);
  input.setAttribute("aria-invalid", "true");
  const described = input.getAttribute("aria-describedby");
  input.setAttribute("aria-describedby", described ? `${described} ${error.id}` : error.id);
  input.addEventListener("input", () => clearFieldError(input), { once: true });
}

export function clearFieldError(input: HTMLElement): void {
  const id = errorIdOf(input);
  document.getElementById(id)?.remove();
  input.removeAttribute("aria-invalid");
  const rest = (input.getAttribute("aria-describedby") ?? "").split(" ").filter((token) => token && token !== id);
  if (rest.length) input.setAttribute("aria-describedby", rest.join(" "));
  else input.removeAttribute("aria-describedby");
}

export function clearFieldErrors(form: HTMLFormElement): void {
  for (const input of form.querySelectorAll<HTMLElement>("[aria-invalid]")) clearFieldError(input);
}

/** The form's input for the first of `names` it has, if any. */
export function inputNamed(form: HTMLFormElement, names: readonly string[]): HTMLInputElement | HTMLSelectElement | undefined {
  for (const name of names) {
    const input = form.querySelector<HTMLInputElement | HTMLSelectElement>(`input[name="${CSS.escape(name)}"], select[name="${CSS.escape(name)}"]`);
    if (input) return input;
  }
  return undefined;
}
