import type { inferRouterContext } from "@trpc/server";
import type { AppRouter, Services } from "../../src/index.js";

export type CallContext = inferRouterContext<AppRouter>;

/** What a procedure asked the transport to send: `Set-Cookie` values and other headers, in order. */
export interface SentHeaders {
  cookies: string[];
  headers: Array<[name: string, value: string]>;
}

export interface CallContextOptions {
  ip?: string;
  userAgent?: string;
  requestId?: string;
  authMode?: "cookie" | "token";
  bearerToken?: string;
  cookies?: Record<string, string>;
  /** Collects what the call would have sent as headers; dropped when omitted. */
  sent?: SentHeaders;
}

let calls = 0;

/** A call's context as the HTTP layer builds one, from plain values instead of a request. */
export function createCallContext(services: Services, options: CallContextOptions = {}): CallContext {
  return {
    meta: { ip: options.ip ?? "127.0.0.1", userAgent: options.userAgent ?? "node", requestId: options.requestId ?? `call-${(calls += 1)}` },
    authMode: options.authMode ?? "cookie",
    bearerToken: options.bearerToken,
    cookies: options.cookies ?? {},
    services,
    countedRules: new Set(),
    holdAnswerMs: 0,
    setCookie: (cookie) => void options.sent?.cookies.push(cookie),
    setHeader: (name, value) => void options.sent?.headers.push([name, value]),
  };
}
