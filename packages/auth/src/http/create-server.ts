import { createServer, type Server } from "node:http";
import type { Services } from "../services.js";
import { createRequestListener } from "./request-listener.js";

/** A Node HTTP server with limits that keep slow or oversized clients from holding it. */
export function createGatehouseServer(services: Services): Server {
  const server = createServer(
    {
      maxHeaderSize: 16 * 1024,
      requestTimeout: 30_000,
      headersTimeout: 10_000,
      keepAliveTimeout: 5_000,
    },
    createRequestListener(services),
  );
  return server;
}
