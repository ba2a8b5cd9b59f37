/**
 * One way of serving the bare tRPC router (bare-router.ts) over node:http, as
 * its own process (`node --import tsx`), for the adapters section. Prints one
 * JSON line ({ port }) on stdout, then serves until SIGTERM or until stdin ends.
 * Usage: adapter-server.ts <variant>
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import { BARE_PREFIX, bareRouter, createBareHandler } from "./bare-router.js";

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

/** The whole request body (no size cap: the bench sends a few dozen bytes). */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

const hasBody = (method: string | undefined): boolean => method !== "GET" && method !== "HEAD";

/** 1. What ships: createHTTPHandler from the standalone adapter. */
const standalone = (): RequestListener => createBareHandler();

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
  const handle = (body?: string): void => {
    if (body !== undefined) (req as IncomingMessage & { body?: unknown }).body = body;
    void nodeHTTPRequestHandler({ router: bareRouter, req, res, path });
  };
  if (!hasBody(req.method)) return handle();
  readBody(req).then(
    (body) => handle(body.toString("utf8")),
    () => res.destroy(),
  );
};

/**
 * 3. fetchRequestHandler behind node:http with a minimal conversion: the
 * body read into a Buffer first, headers from rawHeaders, no AbortSignal
 * (a client disconnect does not cancel the call), the answer buffered
 * (no streaming) and written with res.end.
 */
const fetchAdapter = (): RequestListener => {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (procedurePath(req) === undefined) return notFound(res);
    const raw = req.rawHeaders;
    const headers: Array<[string, string]> = [];
    for (let i = 0; i < raw.length; i += 2) headers.push([raw[i]!, raw[i + 1]!]);
    const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
      method: req.method,
      headers,
      body: hasBody(req.method) ? await readBody(req) : undefined,
    });
    const response = await fetchRequestHandler({ router: bareRouter, req: request, endpoint: BARE_PREFIX });
    const out: Record<string, string | string[]> = {};
    for (const [key, value] of response.headers) if (key !== "set-cookie") out[key] = value;
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) out["set-cookie"] = cookies;
    res.writeHead(response.status, out);
    res.end(response.body ? Buffer.from(await response.arrayBuffer()) : undefined);
  };
  return (req, res) => {
    handle(req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { "content-type": "application/json" }).end('{"error":"internal"}');
    });
  };
};

/** The headers tRPC sets on these answers. */
const JSON_HEADERS = { "content-type": "application/json", vary: "trpc-accept, accept" };

/** 4. The floor: plain node:http answering the same bytes, no tRPC. */
const floor = (): RequestListener => (req, res) => {
  const path = procedurePath(req);
  if (req.method === "GET" && path === "ping") {
    res.writeHead(200, JSON_HEADERS).end(PING_BODY);
  } else if (req.method === "POST" && path === "reject") {
    readBody(req).then(
      (body) => {
        try {
          JSON.parse(body.toString("utf8")); // tRPC parses the input before the mutation refuses it
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
if (typeof variant !== "string" || !Object.hasOwn(LISTENERS, variant)) throw new Error(`usage: adapter-server.ts '"<${Object.keys(LISTENERS).join("|")}>"' (a JSON string)`);
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
