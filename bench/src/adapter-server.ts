/**
 * One way of serving the bare tRPC router (bare-router.ts) over node:http, as
 * its own process (`node --import tsx`), for the adapters section. Prints one
 * JSON line ({ port }) on stdout, then serves until SIGTERM or until stdin ends.
 * Usage: adapter-server.ts <variant>
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { readBody } from "@gatehouse/auth/bridge";
import { BARE_PREFIX, bareRouter, createBareHandler, createStandaloneBareHandler } from "./bare-router.js";

/** What the floor answers: the bytes the standalone adapter sends for these two calls (checked by the section). */
const PING_BODY = JSON.stringify({ result: { data: { ok: true } } });
const REJECT_BODY = JSON.stringify({
  error: { message: "Too many requests; try again later.", code: -32029, data: { code: "TOO_MANY_REQUESTS", httpStatus: 429, path: "reject" } },
});

/** The procedure path after BARE_PREFIX, without the query string; undefined outside the prefix. */
function procedurePath(req: IncomingMessage): string | undefined {
  const url = req.url ?? "/";
  if (!url.startsWith(BARE_PREFIX)) return undefined;
  const query = url.indexOf("?");
  const path = url.slice(BARE_PREFIX.length, query < 0 ? url.length : query);
  return path.endsWith("/") ? path.slice(0, -1) : path;
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
}

// Every variant reads bodies the way Gatehouse does (the bench sends a few dozen bytes).
const readWholeBody = (req: IncomingMessage): Promise<string | undefined> => readBody(req, 1024 * 1024);

/** 1. createHTTPHandler from the standalone adapter (what Gatehouse shipped before the bridge). */
const standalone = (): RequestListener => createStandaloneBareHandler();

/** 2. nodeHTTPRequestHandler called directly (the standalone adapter minus its own URL parse). */
const nodeHttp = (): RequestListener => (req, res) => {
  const path = procedurePath(req);
  if (path === undefined) return notFound(res);
  void nodeHTTPRequestHandler({ router: bareRouter, req, res, path });
};

/**
 * 2b. The same, with the body read first and handed over as `req.body` (a
 * string), which tRPC uses instead of wrapping the IncomingMessage in a web
 * ReadableStream — the documented path for a body-parsing middleware.
 */
const nodeHttpBody = (): RequestListener => (req, res) => {
  const path = procedurePath(req);
  if (path === undefined) return notFound(res);
  readWholeBody(req).then(
    (body) => {
      if (body !== undefined) (req as IncomingMessage & { body?: unknown }).body = body;
      void nodeHTTPRequestHandler({ router: bareRouter, req, res, path });
    },
    () => res.destroy(),
  );
};

/**
 * 3. What ships: Gatehouse's bridge (createTrpcBridge), i.e. fetchRequestHandler
 * behind node:http with the body read first into a string, a Request carrying
 * only the headers tRPC reads, no AbortSignal, and the answer written with res.end.
 */
const fetchAdapter = (): RequestListener => createBareHandler();

/** The headers tRPC sets on these answers. */
const JSON_HEADERS = { "content-type": "application/json", vary: "trpc-accept, accept" };

/** 4. The floor: plain node:http answering the same bytes, no tRPC. */
const floor = (): RequestListener => (req, res) => {
  const path = procedurePath(req);
  if (req.method === "GET" && path === "ping") {
    res.writeHead(200, JSON_HEADERS).end(PING_BODY);
  } else if (req.method === "POST" && path === "reject") {
    readWholeBody(req).then(
      (body) => {
        try {
          JSON.parse(body ?? ""); // tRPC parses the input before the mutation refuses it
        } catch {
          res.writeHead(400, { "content-type": "application/json" }).end('{"error":"bad json"}');
          return;
        }
        res.writeHead(429, JSON_HEADERS).end(REJECT_BODY);
      },
      () => res.destroy(),
    );
  } else {
    notFound(res);
  }
};

const LISTENERS = {
  standalone,
  "node-http": nodeHttp,
  "node-http-body": nodeHttpBody,
  fetch: fetchAdapter,
  floor,
} satisfies Record<string, () => RequestListener>;
export type AdapterVariant = keyof typeof LISTENERS;

const variant: unknown = JSON.parse(process.argv[2] ?? "null");
if (typeof variant !== "string" || !Object.hasOwn(LISTENERS, variant))
  throw new Error(`usage: adapter-server.ts '"<${Object.keys(LISTENERS).join("|")}>"' (a JSON string)`);
const server = createServer(LISTENERS[variant as AdapterVariant]());
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);

let closing = false;
const shutdown = (): void => {
  if (closing) return;
  closing = true;
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.once("SIGTERM", shutdown);
// The section holds stdin open: if the bench dies without stopping this server, stdin ends and the server goes too.
process.stdin.once("end", shutdown).resume();
