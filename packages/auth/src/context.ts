import type { IncomingMessage } from "node:http";
import type { RequestMeta } from "./request-meta.js";
import type { LimitLedger } from "./rate-limit/limit-ledger.js";
import { createCallMemo, type CallMemo } from "./call-memo.js";
import { parseCookies } from "./cookies.js";

/**
 * What procedures reach through `ctx.services`. Declared here, empty, so that
 * this layer names no feature; the composition root (services.ts) fills it in
 * with everything it builds.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by declaration merging
export interface Services {}

/** The part of the HTTP answer a procedure writes: its headers. */
export interface ResponseHeaders {
  set(name: string, value: string): void;
  append(name: string, value: string): void;
}

export type AuthMode = "cookie" | "token";

/** What a call may do to its HTTP answer, whoever serves it. */
export interface HttpHandle {
  setCookie(cookie: string): void;
  setHeader(name: string, value: string): void;
  /**
   * Asks that the answer be held at least `ms` before it is written (a rate
   * limit refusing a client far past it, hashing saturated); the longest ask wins.
   */
  holdAnswer(ms: number): void;
  /** How long the answer is to be held: 0 unless something asked. */
  readonly answerHoldMs: number;
}

/** Each call's context: who is asking, the services, the call's HTTP answer and its rate-limit counts. */
export interface Context {
  meta: RequestMeta;
  /** `X-Auth-Mode: token` puts the refresh token in bodies; otherwise it travels only in the cookie. */
  authMode: AuthMode;
  bearerToken: string | undefined;
  cookies: Readonly<Record<string, string>>;
  services: Services;
  http: HttpHandle;
  /** The rules the HTTP layer counted this call against; the middleware counts the rest. */
  limits: LimitLedger;
  /** Lookups more than one step of the call needs, made once. */
  memo: CallMemo;
}

/** The HTTP handle of a call served over node:http: cookies and headers go on the reply (a class: one per request). */
class ReplyHandle implements HttpHandle {
  answerHoldMs = 0;

  constructor(private readonly reply: ResponseHeaders) {}

  setCookie(cookie: string): void {
    this.reply.append("Set-Cookie", cookie);
  }

  setHeader(name: string, value: string): void {
    this.reply.set(name, value);
  }

  holdAnswer(ms: number): void {
    this.answerHoldMs = Math.max(this.answerHoldMs, ms);
  }
}

/** The HTTP handle of an in-process call: what it sets is kept. */
class RecordingHandle implements RecordedHttp {
  answerHoldMs = 0;
  readonly cookies: string[] = [];
  readonly headers = new Headers();

  setCookie(cookie: string): void {
    this.cookies.push(cookie);
  }

  setHeader(name: string, value: string): void {
    this.headers.set(name, value);
  }

  holdAnswer(ms: number): void {
    this.answerHoldMs = Math.max(this.answerHoldMs, ms);
  }
}

/** The context of a call served over node:http: cookies and headers go on `reply`. */
export function createContext(services: Services, req: IncomingMessage, reply: ResponseHeaders, meta: RequestMeta): Context {
  const authorization = req.headers.authorization;
  const bearer = authorization?.startsWith("Bearer ") ? authorization.slice("Bearer ".length).trim() : undefined;
  return {
    meta,
    authMode: req.headers["x-auth-mode"] === "token" ? "token" : "cookie",
    bearerToken: bearer || undefined,
    cookies: parseCookies(req.headers.cookie),
    services,
    http: new ReplyHandle(reply),
    limits: services.limiter.ledger(),
    memo: createCallMemo(),
  };
}

/** An HTTP handle that keeps what a call set, for a caller with no HTTP answer to write. */
export interface RecordedHttp extends HttpHandle {
  /** Every Set-Cookie value, in the order the call set them. */
  readonly cookies: readonly string[];
  /** Every other header field the call set (the last value of a name wins). */
  readonly headers: Headers;
}

export interface CallContextOptions {
  meta: RequestMeta;
  /** The request's cookies, by name (the refresh, device and flow cookies); none when omitted. */
  cookies?: Readonly<Record<string, string>>;
  /** What `Authorization: Bearer …` would carry: an access token or an API key. */
  bearerToken?: string;
  /** `cookie` (the default) or `token`, as `X-Auth-Mode` would set it. */
  authMode?: AuthMode;
}

/**
 * The context of a call made in-process, without node:http (a tRPC caller from
 * `createCallerFactory`): what an HTTP request would have carried is given as
 * options, and the cookies and headers the call sets are kept on `http`. The
 * call is counted against its rate limits like one over HTTP; make one context
 * per call.
 */
export function createCallContext(services: Services, options: CallContextOptions): Context & { http: RecordedHttp } {
  const http = new RecordingHandle();
  return {
    meta: options.meta,
    authMode: options.authMode ?? "cookie",
    bearerToken: options.bearerToken,
    cookies: options.cookies ?? {},
    services,
    http,
    limits: services.limiter.ledger(),
    memo: createCallMemo(),
  };
}
