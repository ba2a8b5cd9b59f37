import type { AnyTRPCProcedure, inferProcedureInput, inferProcedureOutput } from "@trpc/server";
import { expect } from "vitest";
import type { AppRouter, Reason } from "../../src/index.js";

type Procedures = AppRouter["_def"]["record"];

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
export type ProcedurePath = PathsOf<Procedures>;
export type InputOf<P extends ProcedurePath> = inferProcedureInput<ProcedureAt<Procedures, P>>;
export type OutputOf<P extends ProcedurePath> = inferProcedureOutput<ProcedureAt<Procedures, P>>;

/** An error as the wire carries it (docs/API.md): the reason is what clients branch on. */
export interface WireError {
  code: number;
  message: string;
  data: {
    code: string;
    httpStatus: number;
    path?: string;
    reason: Reason;
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

/** The data of a call that succeeded; fails the test with the error otherwise. */
export function dataOf<Output>(res: CallResult<Output>): Output {
  expect(res.body?.error, `expected data, got ${res.status}`).toBeUndefined();
  expect(res.body?.result, `expected data, got ${res.status}: ${res.text}`).toBeDefined();
  return res.body!.result!.data;
}

/** The reason of a refused call, or undefined when it was not refused. */
export const reasonOf = (res: CallResult): Reason | undefined => res.body?.error?.data.reason;

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

/** The second-factor challenge of a login; fails the test if the login signed in outright. */
export function challengeOf<T extends object>(res: CallResult<T>): Extract<T, { mfaRequired: true }> {
  const data = dataOf(res);
  expect(data, "the login asked for no second factor").toHaveProperty("mfaRequired", true);
  return data as Extract<T, { mfaRequired: true }>;
}
