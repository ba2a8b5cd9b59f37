import type { AnyTRPCProcedure, AnyTRPCRouter, inferProcedureInput, inferProcedureOutput } from "@trpc/server";
import { expect } from "vitest";

// Generic over the router, and free of the server's sources, so that a client's
// tests can type their calls from the router type they already import.

type PathsOf<R, Prefix extends string = ""> = {
  [K in keyof R & string]: R[K] extends AnyTRPCProcedure ? `${Prefix}${K}` : PathsOf<R[K], `${Prefix}${K}.`>;
}[keyof R & string];

type ProcedureAt<R, P extends string> = P extends `${infer Head}.${infer Rest}`
  ? Head extends keyof R
    ? ProcedureAt<R[Head], Rest>
    : never
  : P extends keyof R
    ? R[P]
    : never;

/** A procedure's dotted path, as in its URL (`auth.login`). */
export type ProcedurePathOf<R extends AnyTRPCRouter> = PathsOf<R["_def"]["record"]>;
export type InputAt<R extends AnyTRPCRouter, P extends string> = inferProcedureInput<ProcedureAt<R["_def"]["record"], P>>;
export type OutputAt<R extends AnyTRPCRouter, P extends string> = inferProcedureOutput<ProcedureAt<R["_def"]["record"], P>>;

/** An error as the wire carries it (docs/API.md): the reason is what clients branch on. */
export interface WireError {
  code: number;
  message: string;
  data: {
    code: string;
    httpStatus: number;
    path?: string;
    /** One of the reasons docs/API.md lists. */
    reason: string;
    issues?: Array<{ path: string; message: string }>;
    requestId?: string;
  };
}

/** A tRPC answer's JSON body: its data, or its error. */
export interface WireBody<Output> {
  result?: { data: Output };
  error?: WireError;
}

export interface CallResult<Output = unknown> {
  status: number;
  /** Undefined for an empty body. */
  body: WireBody<Output> | undefined;
  headers: Headers;
  text: string;
}

export interface CallOptions {
  /** A query: sent by GET with ?input=. */
  query?: boolean;
  mode?: "cookie" | "token";
  bearer?: string;
  cookie?: string;
  headers?: Record<string, string>;
}

/** Calls a procedure of the Gatehouse at `url`: mutations by POST, queries by GET with ?input=. */
export async function sendTo(url: string, procedure: string, input: unknown, callOptions: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...callOptions.headers };
  if (callOptions.mode === "token") headers["X-Auth-Mode"] = "token";
  if (callOptions.bearer) headers.Authorization = `Bearer ${callOptions.bearer}`;
  if (callOptions.cookie) headers.Cookie = callOptions.cookie;
  let response: Response;
  if (callOptions.query) {
    const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    response = await fetch(`${url}/trpc/${procedure}${query}`, { headers });
  } else {
    headers["Content-Type"] = "application/json";
    response = await fetch(`${url}/trpc/${procedure}`, { method: "POST", headers, body: input === undefined ? undefined : JSON.stringify(input) });
  }
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as WireBody<unknown>) : undefined, headers: response.headers, text };
}

/** The data of a call that succeeded; fails the test with the error otherwise. */
export function dataOf<Output>(res: CallResult<Output>): Output {
  expect(res.body?.error, `expected data, got ${res.status}`).toBeUndefined();
  expect(res.body?.result, `expected data, got ${res.status}: ${res.text}`).toBeDefined();
  return res.body!.result!.data;
}

/** The reason of a refused call, or undefined when it was not refused. */
export const reasonOf = (res: CallResult): string | undefined => res.body?.error?.data.reason;

/** The error of a refused call; fails the test if the call was not refused. */
export function wireErrorOf(res: CallResult): WireError {
  expect(res.body?.error, `expected an error, got ${res.status}: ${res.text}`).toBeDefined();
  return res.body!.error!;
}

/** A sign-in's tokens; fails the test if it asked for a second factor (or a link) instead. */
export function tokensOf<T extends object>(signIn: T): Extract<T, { accessToken: string }> {
  expect(signIn, "the sign-in handed out no tokens").toHaveProperty("accessToken");
  return signIn as Extract<T, { accessToken: string }>;
}

/** The tokens of a sign-in that succeeded outright. */
export const signedInOf = <T extends object>(res: CallResult<T>): Extract<T, { accessToken: string }> => tokensOf(dataOf(res));

/** The second-factor challenge of a sign-in; fails the test if it signed in outright. */
export function challengeIn<T extends object>(signIn: T): Extract<T, { mfaRequired: true }> {
  expect(signIn, "the sign-in asked for no second factor").toHaveProperty("mfaRequired", true);
  return signIn as Extract<T, { mfaRequired: true }>;
}

/** The second-factor challenge of a login answered over the wire. */
export const challengeOf = <T extends object>(res: CallResult<T>): Extract<T, { mfaRequired: true }> => challengeIn(dataOf(res));
