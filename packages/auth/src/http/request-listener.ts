import type { IncomingMessage, RequestListener } from "node:http";
import { TRPCError } from "@trpc/server";
import { AuthError } from "../errors.js";
import { createContext, type Context } from "../context.js";
import type { RequestMeta } from "../request-meta.js";
import { appRouter } from "../root.js";
import type { Services } from "../services.js";
import { reasonOf } from "../trpc.js";
import { holdOverloadedAnswer } from "../call-limits.js";
import { sendCallError } from "./call-error.js";
import { clientIp } from "./client-ip.js";
import { applyCors } from "./cors.js";
import { crossSiteCookieRequest } from "./csrf.js";
import { createEarlyLimits } from "./early-limits.js";
import { sendError, sendJson } from "./json-response.js";
import { ClientGoneError, readBody } from "./read-body.js";
import { requestIdOf } from "./request-id.js";
import { createReply, type Reply } from "./reply.js";
import { securityHeaderFields } from "./security-headers.js";
import { createTrpcBridge, writeTrpcAnswer } from "./trpc-bridge.js";
import { createAnswerHold } from "./answer-hold.js";
import { createOpenApiDocument } from "./openapi/openapi-document.js";
import { createOAuthRoutes } from "./oauth-routes.js";

const TRPC_PREFIX = "/trpc/";
// tRPC's methods; anything else (PUT, TRACE, …) is refused before a Fetch Request is built from it.
const TRPC_METHODS = new Set(["GET", "HEAD", "POST"]);
// Slowed-down refusals held at once; each is a timer and an idle socket.
const MAX_HELD_ANSWERS = 1024;

const hasBody = (req: IncomingMessage): boolean => req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;

/** The whole HTTP surface of CONTRACT §2 as one Node request listener. */
export function createRequestListener(services: Services): RequestListener {
  const { config, logger } = services;

  const trpc = createTrpcBridge({
    router: appRouter,
    endpoint: TRPC_PREFIX,
    maxBatchSize: config.maxBatchSize,
    // Queries may come by POST too: a query whose input is a token (auth.introspect) keeps it out of URLs and proxy logs (RFC 7662 §2.1).
    allowMethodOverride: true,
    onError({ error, path, ctx }) {
      const reason = reasonOf(error);
      const requestId = ctx?.meta.requestId;
      if (reason === "internal_error") logger.error({ event: "unhandled_error", path, requestId, err: error.cause ?? error });
      if (reason === "store_unavailable") logger.error({ event: "store_unavailable", path, requestId, err: error.cause });
    },
    responseMeta({ ctx, data, errors }) {
      // Calls the HTTP layer did not shed (a batch's) that the hashing queue refused itself. Held only when no call
      // of the answer succeeded, so a result such as a rotated refresh token never waits.
      if (ctx && errors.length === data.length && errors.some((e) => reasonOf(e) === "overloaded")) holdOverloadedAnswer(ctx);
      const retryAfter = Math.max(0, ...errors.map((e) => (e instanceof AuthError ? (e.retryAfterSeconds ?? 0) : 0)));
      return retryAfter > 0 ? { headers: { "Retry-After": String(retryAfter) } } : {};
    },
  });

  // Built once from the router and the configuration: the document cannot drift from what is served.
  const openApiJson = JSON.stringify(createOpenApiDocument(appRouter, config));
  const allowedOrigins = new Set(config.corsOrigins);
  // Cookie-carrying calls may also come from the app's own public URL (a TLS proxy in front: https there, http here).
  const cookieOrigins = new Set([...config.corsOrigins, new URL(config.appUrl).origin]);
  const earlyLimits = createEarlyLimits(appRouter);
  const hold = createAnswerHold(MAX_HELD_ANSWERS);
  const oauthRoutes = createOAuthRoutes(services);
  const securityFields = securityHeaderFields({ production: config.production });
  // Made once, not per request: Node's error names the refused field, which is enough to find the bug.
  const logUnsendable = (error: unknown): void => logger.error({ event: "unhandled_error", err: error });

  const serveCall = async (req: IncomingMessage, reply: Reply, ctx: Context, procedurePath: string, query: string): Promise<void> => {
    try {
      if (!TRPC_METHODS.has(req.method ?? "")) {
        reply.set("Allow", "GET, HEAD, POST");
        // The body is never read: close rather than drain it.
        reply.set("Connection", "close");
        throw new TRPCError({ code: "METHOD_NOT_SUPPORTED", message: `Unsupported ${req.method} request.` });
      }
      const body = await readBody(req, config.maxBodyBytes);
      const refusal = await earlyLimits(ctx, procedurePath, query, body);
      if (refusal) {
        await hold(ctx.http.answerHoldMs, reply.res);
        return sendCallError(reply, appRouter, refusal, ctx, procedurePath);
      }
      const answer = await trpc(req, ctx, body);
      // tRPC's own refusal of the method (a mutation called with GET) ran no middleware.
      if (answer.status === 405) await earlyLimits.countRefused(ctx, procedurePath);
      await hold(ctx.http.answerHoldMs, reply.res);
      writeTrpcAnswer(reply, answer);
    } catch (error) {
      if (error instanceof ClientGoneError || reply.res.headersSent) {
        reply.res.destroy();
      } else if (error instanceof TRPCError) {
        // An unread body would otherwise be drained from a client that may be sending a lot of it.
        if (error instanceof AuthError && error.reason === "payload_too_large") reply.set("Connection", "close");
        if (error.code === "METHOD_NOT_SUPPORTED" || error.code === "PAYLOAD_TOO_LARGE") await earlyLimits.countRefused(ctx, procedurePath);
        sendCallError(reply, appRouter, error, ctx, procedurePath);
      } else {
        logger.error({ event: "unhandled_error", path: procedurePath, requestId: ctx.meta.requestId, err: error });
        sendError(reply, "internal_error", 500);
      }
    }
  };

  const health = async (reply: Reply): Promise<void> => {
    try {
      await config.store.ping();
      sendJson(reply, 200, { status: "ok" });
    } catch {
      sendJson(reply, 503, { status: "unavailable" });
    }
  };

  return (req, res) => {
    // A request target carries no fragment; cut one off so every later step
    // (routing, the early rate limiter, tRPC's own URL parse) reads the same path and query.
    const hash = req.url?.indexOf("#") ?? -1;
    if (hash >= 0) req.url = req.url!.slice(0, hash);
    const meta: RequestMeta = {
      ip: clientIp(req, config.trustProxy),
      userAgent: String(req.headers["user-agent"] ?? ""),
      requestId: requestIdOf(req),
    };
    const reply = createReply(res, securityFields, logUnsendable);
    reply.append("X-Request-Id", meta.requestId);
    const url = req.url ?? "/";
    const queryStart = url.indexOf("?");
    const path = queryStart < 0 ? url : url.slice(0, queryStart);
    // Below LOG_LEVEL=info no request line is written, so none is prepared.
    if (logger.isLevelEnabled("info")) {
      const started = process.hrtime.bigint();
      res.on("finish", () => {
        logger.info({
          event: "request",
          method: req.method,
          path,
          status: res.statusCode,
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
          ip: meta.ip,
          requestId: meta.requestId,
        });
      });
    }

    if (applyCors(req, reply, allowedOrigins)) return;
    if (path.startsWith(TRPC_PREFIX)) {
      // Responses carry tokens: no cache may keep them.
      reply.set("Cache-Control", "no-store");
      // A body-less POST (`auth.logout` from curl or a mobile HTTP library) is
      // an empty JSON input; tRPC would otherwise refuse it for lacking a type.
      if (req.method === "POST" && !req.headers["content-type"] && !hasBody(req)) req.headers["content-type"] = "application/json";
      const csrf = crossSiteCookieRequest(req, cookieOrigins, config.trustProxy);
      if (csrf) {
        services.events.emit("permission_denied", { check: "csrf", detail: csrf, path, request: meta });
        sendError(reply, "forbidden", 403, "Cross-site request refused.");
        return;
      }
      const ctx = createContext(services, req, reply, meta);
      void serveCall(req, reply, ctx, path.slice(TRPC_PREFIX.length), queryStart < 0 ? "" : url.slice(queryStart));
      return;
    }
    if (req.method === "GET" && path === "/health") {
      void health(reply);
      return;
    }
    if (req.method === "GET" && path === "/openapi.json") {
      reply.set("Cache-Control", "no-cache");
      reply.set("Content-Type", "application/json");
      reply.send(200, openApiJson);
      return;
    }
    const oauthRoute = oauthRoutes.match(req.method, path);
    if (oauthRoute) {
      void oauthRoutes.serve(req, reply, meta, oauthRoute, path, queryStart < 0 ? "" : url.slice(queryStart + 1));
      return;
    }
    if (req.method === "GET" && path === "/.well-known/jwks.json" && config.keys.jwks) {
      reply.set("Cache-Control", "public, max-age=300");
      sendJson(reply, 200, config.keys.jwks);
      return;
    }
    sendError(reply, "not_found", 404);
  };
}
