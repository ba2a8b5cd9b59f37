import { createServer, type RequestListener, type Server } from "node:http";
import { createRequestListener, type Services } from "@gatehouse/auth";
import type { StaticSite } from "./static-site.js";

/**
 * The same limits as @gatehouse/auth's createGatehouseServer, which this
 * replaces so that the demo app can be served in front of the API.
 */
const SERVER_LIMITS = {
  maxHeaderSize: 16 * 1024,
  requestTimeout: 30_000,
  headersTimeout: 10_000,
  keepAliveTimeout: 5_000,
} as const;

/** The API on every path it owns; the built site (when there is one) on GET/HEAD of everything else. */
export function createHttpServer(services: Services, site: StaticSite | undefined): Server {
  const api = createRequestListener(services);
  const listener: RequestListener = site
    ? (req, res) => {
        if (!site.handle(req, res)) api(req, res);
      }
    : api;
  return createServer(SERVER_LIMITS, listener);
}
