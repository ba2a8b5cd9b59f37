import type { IncomingMessage } from "node:http";
import type { AnyTRPCRouter, inferRouterContext } from "@trpc/server";
import { fetchRequestHandler, type FetchHandlerRequestOptions } from "@trpc/server/adapters/fetch";
import type { Reply } from "./reply.js";

// tRPC reads only the path and query of the URL; the origin is never looked at.
const ORIGIN = "http://gatehouse.invalid";
// The request headers tRPC reads (content negotiation and input parsing); the context is built from the Node request.
const FORWARDED_HEADERS = ["content-type", "accept", "trpc-accept"] as const;
// Framing is ours: the answer is buffered and sent with a Content-Length, whatever tRPC meant to stream.
const FRAMING_HEADERS = new Set(["transfer-encoding", "content-length", "connection", "keep-alive"]);

export type TrpcBridgeOptions<TRouter extends AnyTRPCRouter> = Pick<
  FetchHandlerRequestOptions<TRouter>,
  "router" | "endpoint" | "maxBatchSize" | "onError" | "responseMeta" | "allowMethodOverride"
>;

/** tRPC's answer, buffered, ready for `writeTrpcAnswer`. */
export interface TrpcAnswer {
  status: number;
  headers: Headers;
  body: Buffer | undefined;
}

/** Runs one request whose body is already read, with the context already made. */
export type TrpcBridge<TRouter extends AnyTRPCRouter> = (
  req: IncomingMessage,
  ctx: inferRouterContext<TRouter>,
  body: string | undefined,
) => Promise<TrpcAnswer>;

/**
 * Serves a tRPC router from node:http through tRPC's Fetch handler: a Request
 * carrying only what tRPC reads, the answer buffered for one `res.end`. This
 * costs 26–40 % less CPU per call than the standalone adapter for the same
 * bytes on the wire (BENCHMARKS.md, adapters), because the body is read once
 * as a string and no web streams or AbortSignal are built around the socket.
 *
 * Without an AbortSignal a client that goes away does not cancel its call: a
 * login or a refresh rotation that began completes, and its answer is dropped.
 * Answers are buffered, not streamed; Gatehouse has no streaming procedures.
 */
export function createTrpcBridge<TRouter extends AnyTRPCRouter>(options: TrpcBridgeOptions<TRouter>): TrpcBridge<TRouter> {
  return async (req, ctx, body) => {
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = req.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    const request = new Request(ORIGIN + (req.url ?? "/"), { method: req.method, headers, body });
    const response = await fetchRequestHandler({ ...options, req: request, createContext: () => ctx });
    return { status: response.status, headers: response.headers, body: response.body ? Buffer.from(await response.arrayBuffer()) : undefined };
  };
}

export function writeTrpcAnswer(reply: Reply, answer: TrpcAnswer): void {
  for (const [name, value] of answer.headers) {
    if (FRAMING_HEADERS.has(name)) continue;
    if (name === "vary") reply.vary(value);
    else reply.set(name, value);
  }
  reply.send(answer.status, answer.body);
}
