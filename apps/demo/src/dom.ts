/**
 * Small DOM helpers. Everything is built with createElement and text nodes:
 * no HTML strings (nothing from the server can become markup) and no inline
 * style attributes (the page runs under a CSP without 'unsafe-inline').
 */

export type Child = Node | string | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Element, ...children: Child[]): void {
  for (const child of children) if (child !== null && child !== undefined && child !== false) parent.append(child);
}

let lastId = 0;
/** A page-unique id, to tie labels and hints to their inputs. */
export const uniqueId = (prefix: string): string => `${prefix}-${++lastId}`;

export interface Field {
  element: HTMLElement;
  input: HTMLInputElement;
}

/** A labelled input with an optional hint the input is described by. */
export function field(label: string, attrs: Attrs & { name: string }, hint?: string): Field {
  const id = uniqueId(attrs.name);
  const hintId = hint ? `${id}-hint` : undefined;
  const input = h("input", { id, type: "text", ...attrs, "aria-describedby": hintId });
  const element = h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("p", { id: hintId, class: "hint" }, hint) : null);
  return { element, input };
}

/** A checkbox with its label, for choice lists. */
export function checkbox(label: string, attrs: Attrs & { name: string; value: string }): { element: HTMLElement; input: HTMLInputElement } {
  const id = uniqueId(attrs.name);
  const input = h("input", { id, type: "checkbox", ...attrs });
  return { element: h("div", { class: "check" }, input, h("label", { for: id }, label)), input };
}

export function button(label: string, attrs: Attrs = {}, onClick?: (event: MouseEvent) => void): HTMLButtonElement {
  const element = h("button", { type: "button", ...attrs }, label);
  if (onClick) element.addEventListener("click", onClick);
  return element;
}

/** A section of the signed-in page. */
export function card(title: string, ...children: Child[]): HTMLElement {
  const id = uniqueId("card");
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

export function formatDate(iso: string | null): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "—" : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
