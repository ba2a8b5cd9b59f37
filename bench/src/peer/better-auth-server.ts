/**
 * The peer under test, run as its own process
 * (`node --import tsx`, NODE_ENV=production): better-auth on node:http through
 * its `toNodeHandler`, storing in its in-memory adapter, hashing passwords
 * with @node-rs/bcrypt at the configured cost (the library Gatehouse uses),
 * its rate limiter on but raised so it never refuses. Bench controls under
 * /bench/ on the same server. Prints one JSON line (port, session cookie,
 * account emails) on stdout, then serves until SIGTERM.
 * Usage: better-auth-server.ts '<PeerConfig as JSON>'
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { hash, verify } from "@node-rs/bcrypt";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { toNodeHandler } from "better-auth/node";
import { PASSWORD } from "../accounts.js";
import { API_PREFIX, type PeerConfig, type PeerInfo } from "./protocol.js";

const BENCH_PREFIX = "/bench/";
/** Every rule raised so the limiter runs (and costs what it costs) but never refuses, as Gatehouse's "open" limits. */
const OPEN_RULE = { window: 60, max: 1_000_000_000 };

const config = JSON.parse(process.argv[2] ?? "null") as PeerConfig | null;
if (!config?.bcryptCost) throw new Error("usage: better-auth-server.ts '<PeerConfig JSON>'");
const cost = config.bcryptCost;

const packageJson = fileURLToPath(new URL("../package.json", import.meta.resolve("better-auth")));
const version = (JSON.parse(readFileSync(packageJson, "utf8")) as { version: string }).version;

// The memory adapter's tables, held here so the controls can read the stored hashes.
const db: Record<string, Array<Record<string, unknown>>> = { user: [], session: [], account: [], verification: [] };

const send = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};

async function timeVerifications(samples: number, parallel: number): Promise<number[]> {
  const stored = db.account!.find((a) => typeof a.password === "string")?.password as string | undefined;
  const hashed = stored ?? (await hash(PASSWORD, cost));
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: parallel }, () => verify(PASSWORD, hashed)));
    if (!results.every(Boolean)) throw new Error("verification failed");
    times.push(performance.now() - started);
  }
  return times;
}

// Set once better-auth is configured with the port the server got.
const app: { handle?: (req: IncomingMessage, res: ServerResponse) => Promise<void> } = {};
const server = createServer((req, res) => {
  const url = req.url ?? "/";
  if (url.startsWith(BENCH_PREFIX)) {
    const parsed = new URL(url, "http://bench");
    if (parsed.pathname !== `${BENCH_PREFIX}verify`) return send(res, 404, { error: "unknown control" });
    const samples = Number(parsed.searchParams.get("samples") ?? 3);
    const parallel = Number(parsed.searchParams.get("parallel") ?? 1);
    timeVerifications(samples, parallel).then(
      (ms) => send(res, 200, { ms }),
      (error: unknown) => send(res, 500, { error: String(error) }),
    );
    return;
  }
  if (!app.handle) return send(res, 503, { error: "starting" });
  // No proxy in front: the client address is the socket's, as Gatehouse takes it (trustProxy 0).
  // better-auth reads it from a header only, so this sets the header a trusted proxy would.
  req.headers["x-forwarded-for"] = req.socket.remoteAddress ?? "127.0.0.1";
  void app.handle(req, res);
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as AddressInfo).port;
const baseUrl = `http://127.0.0.1:${port}`;

const auth = betterAuth({
  baseURL: baseUrl,
  basePath: API_PREFIX,
  secret: "bench-secret-".padEnd(48, "x"),
  database: memoryAdapter(db),
  emailAndPassword: {
    enabled: true,
    password: {
      hash: (password) => hash(password, cost),
      verify: ({ hash: stored, password }) => verify(password, stored),
    },
  },
  rateLimit: {
    enabled: true,
    storage: "memory",
    ...OPEN_RULE,
    // The built-in special rules (sign-in and sign-up: 3 per 10 s) are replaced by the open rule.
    customRules: { "/sign-in/email": OPEN_RULE, "/sign-up/email": OPEN_RULE },
  },
  telemetry: { enabled: false },
  logger: { level: "error" },
});
app.handle = toNodeHandler(auth);

interface SignedUp {
  email: string;
  cookie: string;
}

async function signUp(email: string): Promise<SignedUp> {
  const response = await fetch(`${baseUrl}${API_PREFIX}/sign-up/email`, {
    method: "POST",
    // Node's fetch sends Sec-Fetch-Mode, so better-auth checks the origin, as for a browser.
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ email, password: PASSWORD, name: "Bench User" }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`better-auth sign-up of ${email} failed: HTTP ${response.status} ${text.slice(0, 300)}`);
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .find((c) => c.includes("session_token="));
  if (!cookie) throw new Error(`better-auth sign-up of ${email} set no session cookie: ${text.slice(0, 300)}`);
  return { email, cookie };
}

async function signUpMany(count: number, label: string, parallel = 8): Promise<SignedUp[]> {
  const results: SignedUp[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await signUp(`bench.${label}.${i}.${process.pid}@example.com`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return results;
}

const [sessionUser] = config.sessionUser === false ? [] : await signUpMany(1, "session");
const accounts = await signUpMany(config.accounts ?? 0, "signin");

const info: PeerInfo = {
  port,
  version,
  sessionCookie: sessionUser?.cookie ?? "",
  sessionEmail: sessionUser?.email ?? "",
  emails: accounts.map((a) => a.email),
};
process.stdout.write(`${JSON.stringify(info)}\n`);

process.once("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
