import { FormError } from "../errors";
import type { ConsoleOperation } from "./operations";

export interface CallAnswer {
  status: number;
  statusText: string;
  /** Every header the page may read, sorted by name (browsers never show Set-Cookie to scripts). */
  headers: Array<[string, string]>;
  /** The body, indented when it is JSON. */
  body: string;
}

export interface CallOptions {
  /** Sent as `Authorization: Bearer …` when given. */
  accessToken: string | null;
  tokenMode: boolean;
}

/** The input as the procedure takes it, or undefined to send none; refuses text that is not JSON. */
export function parseInput(operation: ConsoleOperation, text: string): unknown {
  if (!operation.input || text.trim() === "") {
    if (operation.input?.required) throw new FormError("This procedure needs an input: write it as JSON.");
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FormError(`The input is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Calls the procedure the way the document says: a query as GET with
 * `?input=`, a mutation as POST with a JSON body. Same origin, so the browser
 * adds the page's cookies as it would for the app.
 */
export async function callOperation(operation: ConsoleOperation, input: unknown, options: CallOptions): Promise<CallAnswer> {
  const headers: Record<string, string> = {};
  if (options.accessToken) headers.Authorization = `Bearer ${options.accessToken}`;
  if (options.tokenMode) headers["X-Auth-Mode"] = "token";
  let url = operation.path;
  let body: string | undefined;
  if (input !== undefined && operation.method === "GET") url += `?input=${encodeURIComponent(JSON.stringify(input))}`;
  if (input !== undefined && operation.method === "POST") {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(input);
  }
  const response = await fetch(url, { method: operation.method, headers, body });
  const text = await response.text();
  const received: Array<[string, string]> = [];
  response.headers.forEach((value, name) => received.push([name, value]));
  return { status: response.status, statusText: response.statusText, headers: received.sort(([a], [b]) => a.localeCompare(b)), body: indented(text) };
}

function indented(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
