import type { IncomingMessage } from "node:http";
import type { RequestMeta } from "./request-meta.js";
import type { LimitRule } from "./rate-limit/limit-rules.js";
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

export interface Context {
  meta: RequestMeta;
  /** `X-Auth-Mode: token` puts the refresh token in bodies; otherwise it travels only in the cookie. */
  authMode: AuthMode;
  bearerToken: string | undefined;
  cookies: Readonly<Record<string, string>>;
  services: Services;
  /** The rate-limit rules this call has been counted against (by the HTTP layer or the middleware). */
  countedRules: Set<LimitRule>;
  /** How long the HTTP layer holds this call's answer: set when a rate limit refuses a client far past it, or hashing is saturated. */
  holdAnswerMs: number;
  setCookie(cookie: string): void;
  setHeader(name: string, value: string): void;
}

export function createContext(services: Services, req: IncomingMessage, reply: ResponseHeaders, meta: RequestMeta): Context {
  const authorization = req.headers.authorization;
  const bearer = authorization?.startsWith("Bearer ") ? authorization.slice("Bearer ".length).trim() : undefined;
  return {
    meta,
    authMode: req.headers["x-auth-mode"] === "token" ? "token" : "cookie",
    bearerToken: bearer || undefined,
    cookies: parseCookies(req.headers.cookie),
    services,
    countedRules: new Set(),
    holdAnswerMs: 0,
    setCookie: (cookie) => {
      reply.append("Set-Cookie", cookie);
    },
    setHeader: (name, value) => {
      reply.set(name, value);
    },
  };
}
