import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Services } from "../services.js";
import { answerClientError } from "./client-error.js";
import { createRequestListener } from "./request-listener.js";
import { securityHeaderFields } from "./security-headers.js";

export interface GatehouseServerOptions {
  /**
   * Runs before the API on every request (e.g. a static site); returns true
   * when it answered. The API's own paths should be left to the API.
   */
  serveFirst?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** A Node HTTP server with limits that keep slow or oversized clients from holding it. */
export function createGatehouseServer(services: Services, options: GatehouseServerOptions = {}): Server {
  const api = createRequestListener(services);
  const { serveFirst } = options;
  const server = createServer(
    {
      maxHeaderSize: 16 * 1024,
      requestTimeout: 30_000,
      headersTimeout: 10_000,
      keepAliveTimeout: 5_000,
    },
    serveFirst ? (req, res) => void (serveFirst(req, res) || api(req, res)) : api,
  );
  server.on("clientError", answerClientError(securityHeaderFields({ production: services.config.production })));
  return server;
}
