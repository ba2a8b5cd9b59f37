/**
 * The system under test, run as its own process (`node --import tsx`):
 * Gatehouse under /trpc/ and the bare baseline under /bare/ on ONE HTTP
 * server. Prints one JSON line (port and setup tokens) on stdout, then serves
 * until SIGTERM. Usage: target-server.ts <store-url> <refresh-sessions>
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger, createRequestListener, createSecretKeyRing, createServices, LIMIT_RULES, type Limit, type LimitRule } from "@gatehouse/auth";
import { openStore } from "@gatehouse/store";
import { signUpMany } from "./accounts.js";
import { BARE_PREFIX, createBareHandler } from "./bare-router.js";

export interface TargetInfo {
  port: number;
  /** A valid access token for `auth.me`. */
  accessToken: string;
  /** Unused refresh tokens, one per session, for `auth.refresh`. */
  refreshTokens: string[];
}

// Every request comes from 127.0.0.1, so the real limits (e.g. 300/min) would
// answer 429 within a second. The limiter still runs on every call (it is part
// of the cost measured); it just never refuses.
const UNREACHABLE_LIMITS = Object.fromEntries(LIMIT_RULES.map((rule) => [rule, { max: 1_000_000_000, windowSeconds: 60 }])) as Record<LimitRule, Limit>;

const [storeUrl, sessionsArg] = process.argv.slice(2);
if (!storeUrl) throw new Error("usage: target-server.ts <store-url> <refresh-sessions>");
const sessions = Number(sessionsArg ?? 0);

const store = await openStore(storeUrl);
const services = await createServices({
  store,
  keys: createSecretKeyRing([new TextEncoder().encode("bench-secret-".padEnd(48, "x"))]),
  logger: createLogger({ level: "silent" }),
  dataKey: "bench-data-key-bench-data-key-bench-data-key",
  // Only makes the setup signups quick; hashing is not on any measured path.
  bcryptCost: 4,
  limits: UNREACHABLE_LIMITS,
});
const gatehouse = createRequestListener(services);
const bare = createBareHandler();

// Same server options as createGatehouseServer.
const server = createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 }, (req, res) => {
  if (req.url?.startsWith(BARE_PREFIX)) bare(req, res);
  else gatehouse(req, res);
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as AddressInfo).port;
const baseUrl = `http://127.0.0.1:${port}`;

const [me] = await signUpMany(baseUrl, 1, "me");
const pool = await signUpMany(baseUrl, sessions, "refresh");
// Audit and activity writes of the signups run off the request path; let them land before measuring.
await services.events.drain();

const info: TargetInfo = { port, accessToken: me!.accessToken, refreshTokens: pool.map((p) => p.refreshToken) };
process.stdout.write(`${JSON.stringify(info)}\n`);

process.once("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => {
    void store.close().then(() => process.exit(0));
  });
});
