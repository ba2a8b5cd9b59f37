import type { IncomingMessage } from "node:http";
import { StoreUnavailableError } from "@gatehouse/store";
import { createContext } from "../context.js";
import { AuthError, type Reason } from "../errors.js";
import type { Reply } from "./reply.js";
import type { LimitRule } from "../rate-limit/limit-rules.js";
import type { RequestMeta } from "../request-meta.js";
import type { Services } from "../services.js";
import { deliverTokens } from "../features/sessions/transport.js";
import { MFA_TOKEN_TTL_MS } from "../features/mfa/mfa-service.js";
import { clearedFlowCookie, FLOW_COOKIE, flowCookie, mfaCookie } from "../features/oauth/cookies.js";
import { FLOW_TTL_MS } from "../features/oauth/flows.js";
import { appLocation, appPathOf } from "../features/oauth/return-path.js";

const ROUTE = /^\/oauth\/([a-z0-9_-]{1,32})\/(start|callback)$/;

export interface OAuthRoute {
  provider: string;
  step: "start" | "callback";
}

/**
 * `GET /oauth/<provider>/start?returnTo=<app path>` and `GET /oauth/<provider>/callback`:
 * the browser flow. Every answer is a redirect: to the provider, or back to the
 * app path (`?error=<reason>` on failure, `?mfa=required` when the second
 * factor is due, `?linked=<provider>` after linking), never with a token in it.
 */
export function createOAuthRoutes(services: Services) {
  const { config, oauth, limiter, events, logger } = services;

  const redirect = (reply: Reply, location: string): void => {
    reply.set("Location", location);
    reply.set("Cache-Control", "no-store");
    reply.send(302, "");
  };

  async function countCall(rule: LimitRule, meta: RequestMeta): Promise<void> {
    const decision = await limiter.hit(rule, `ip:${meta.ip}`);
    if (decision.allowed) return;
    events.emit("rate_limited", { rule, key: "ip", request: meta });
    throw new AuthError("rate_limited", { retryAfterSeconds: decision.retryAfterSeconds });
  }

  function reasonOf(error: unknown, meta: RequestMeta, path: string): Reason {
    if (error instanceof AuthError) return error.reason;
    if (error instanceof StoreUnavailableError) return "store_unavailable";
    logger.error({ event: "unhandled_error", path, requestId: meta.requestId, err: error });
    return "internal_error";
  }

  async function start(reply: Reply, meta: RequestMeta, { provider }: OAuthRoute, query: URLSearchParams, path: string): Promise<void> {
    const returnTo = appPathOf(query.get("returnTo"), config.appUrl);
    try {
      if (returnTo === undefined) throw new AuthError("validation_failed");
      // Each start holds a flow in the store for a while: counted like any other call.
      await countCall("default", meta);
      const { authorizationUrl, binding } = await oauth.startInBrowser(provider, returnTo, meta);
      reply.append("Set-Cookie", flowCookie(binding, FLOW_TTL_MS / 1000));
      redirect(reply, authorizationUrl);
    } catch (error) {
      redirect(reply, appLocation(config.appUrl, returnTo ?? "/", { error: reasonOf(error, meta, path) }));
    }
  }

  async function callback(
    req: IncomingMessage,
    reply: Reply,
    meta: RequestMeta,
    { provider }: OAuthRoute,
    query: URLSearchParams,
    path: string,
  ): Promise<void> {
    let returnTo = "/";
    const ctx = { ...createContext(services, req, reply, meta), authMode: "cookie" as const };
    // The binding is spent whatever happens next.
    reply.append("Set-Cookie", clearedFlowCookie());
    try {
      await countCall("login.ip", meta);
      const state = query.get("state");
      const returned = { via: "browser" as const, binding: ctx.cookies[FLOW_COOKIE] || undefined, query };
      const flow = await oauth.takeFlow(provider, state, meta);
      returnTo = flow.returnTo ?? "/";
      const result = await oauth.finish(flow, state!, returned, meta);
      if ("linked" in result) return redirect(reply, appLocation(config.appUrl, returnTo, { linked: provider }));
      if ("mfaRequired" in result.signedIn) {
        reply.append("Set-Cookie", mfaCookie(result.signedIn.mfaToken, MFA_TOKEN_TTL_MS / 1000));
        return redirect(reply, appLocation(config.appUrl, returnTo, { mfa: "required" }));
      }
      // As every cookie-mode sign-in: the refresh cookie, the session hint and the device credential; the app refreshes to get its access token.
      deliverTokens(ctx, result.signedIn);
      redirect(reply, appLocation(config.appUrl, returnTo));
    } catch (error) {
      redirect(reply, appLocation(config.appUrl, returnTo, { error: reasonOf(error, meta, path) }));
    }
  }

  return {
    match(method: string | undefined, path: string): OAuthRoute | undefined {
      const match = method === "GET" ? ROUTE.exec(path) : null;
      return match ? { provider: match[1]!, step: match[2] as OAuthRoute["step"] } : undefined;
    },

    serve(req: IncomingMessage, reply: Reply, meta: RequestMeta, route: OAuthRoute, path: string, search: string): Promise<void> {
      const query = new URLSearchParams(search);
      return route.step === "start" ? start(reply, meta, route, query, path) : callback(req, reply, meta, route, query, path);
    },
  };
}
