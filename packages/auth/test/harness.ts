import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createMemoryBackend, createStore, openStore, type Store } from "@gatehouse/store";
import { createFakeClock, type FakeClock } from "@gatehouse/store/testing";
import {
  createGatehouseServer,
  createLogger,
  createOutboxMailer,
  createSecretKeyRing,
  createServices,
  type AppRouter,
  type GatehouseOptions,
  type KeyRing,
  type Services,
} from "../src/index.js";
import { closeWhenTestEnds } from "./support/cleanup.js";
import { sendTo, type CallOptions, type CallResult, type InputAt, type OutputAt, type ProcedurePathOf } from "./support/wire.js";

export type { CallOptions } from "./support/wire.js";
/** A procedure's dotted path, as in its URL (`auth.login`). */
export type ProcedurePath = ProcedurePathOf<AppRouter>;
export type InputOf<P extends ProcedurePath> = InputAt<AppRouter, P>;
export type OutputOf<P extends ProcedurePath> = OutputAt<AppRouter, P>;

import { dataOf } from "./support/wire.js";

export { challengeOf, dataOf, reasonOf, signedInOf, tokensOf, wireErrorOf, type CallResult, type WireError } from "./support/wire.js";

export const TEST_SECRET = new TextEncoder().encode("test-secret-0123456789-abcdefghijklmnopqrstuvwxyz");
export const TEST_DATA_KEY = "test-data-key-test-data-key-test-data-key";

export const GENEROUS_LIMITS = {
  "login.ip": { max: 100_000, windowSeconds: 60 },
  "login.email": { max: 100_000, windowSeconds: 60 },
  "signup.ip": { max: 100_000, windowSeconds: 60 },
  default: { max: 100_000, windowSeconds: 60 },
};

export interface TestServer extends Omit<TestServices, "closeStore"> {
  url: string;
  /** Calls a procedure: mutations by POST, queries by GET with ?input=. */
  call<P extends ProcedurePath>(procedure: P, input?: InputOf<P>, options?: CallOptions): Promise<CallResult<OutputOf<P>>>;
  /** Sends anything to any path under /trpc/, for what the typed `call` refuses to write (bad input, unknown procedures, batches). */
  send(path: string, input?: unknown, options?: CallOptions): Promise<CallResult>;
  close(): Promise<void>;
}

export interface StartOptions extends Partial<Omit<GatehouseOptions, "store" | "logger" | "clock" | "keys" | "mailer">> {
  /** Where the outbox transport writes mails; a fresh temp dir when omitted. */
  outboxDir?: string;
  storeUrl?: string;
  /** Serve from an existing store (another instance's, or one kept across a restart); it is left open on close. */
  store?: Store;
  keys?: KeyRing;
  clock?: FakeClock;
  /** Listen here instead of on any free port (for a server that must know its own URL, e.g. as APP_URL). */
  port?: number;
}

/** Services as a test server runs them: fake clock, a fresh memory store unless told, outbox mail, captured logs, cheap bcrypt. */
export interface TestServices {
  clock: FakeClock;
  store: Store;
  services: Services;
  /** Every mail written so far, oldest first, once queued sends have finished. */
  outbox(): Promise<Array<{ to: string; subject: string; text: string; html?: string; createdAt: string }>>;
  logLines: () => Array<Record<string, unknown>>;
  /** Closes the store unless it was handed in (then its owner closes it). */
  closeStore(): Promise<void>;
}

/** The services behind a test server or an in-process caller, with a cheap bcrypt cost (the cost is not under test here). */
export async function createTestServices(options: Omit<StartOptions, "port"> = {}): Promise<TestServices> {
  const clock = options.clock ?? createFakeClock();
  const store =
    options.store ?? (options.storeUrl ? await openStore(options.storeUrl, { clock: clock.now }) : createStore(createMemoryBackend({ clock: clock.now })));
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const { storeUrl: _url, clock: _clock, store: sharedStore, keys, outboxDir = mkdtempSync(join(tmpdir(), "gatehouse-outbox-")), ...rest } = options;
  const services = await createServices({
    bcryptCost: 4,
    ...rest,
    // Tests send everything from 127.0.0.1; rules under test set their own limits.
    limits: { ...GENEROUS_LIMITS, ...rest.limits },
    store,
    clock: clock.now,
    keys: keys ?? createSecretKeyRing([TEST_SECRET]),
    mailer: createOutboxMailer(outboxDir, clock.now),
    dataKey: TEST_DATA_KEY,
    logger: createLogger({ destination }),
  });
  return {
    clock,
    store,
    services,
    async outbox() {
      await services.mail.drain();
      return readdirSync(outboxDir)
        .filter((name) => name.endsWith(".json"))
        .sort()
        .map((name) => JSON.parse(readFileSync(join(outboxDir, name), "utf8")));
    },
    logLines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    closeStore: async () => {
      if (!sharedStore) await store.close();
    },
  };
}

/**
 * A real server on a real port. Started inside a test, it is closed when the
 * test finishes, passed or failed; a file's shared server (started in
 * beforeAll) is closed by the file's afterAll.
 */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const { port = 0, ...serviceOptions } = options;
  const { closeStore, ...underTest } = await createTestServices(serviceOptions);
  const server = createGatehouseServer(underTest.services);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeStore();
    })());
  closeWhenTestEnds(close);
  const send = (procedure: string, input?: unknown, callOptions?: CallOptions) => sendTo(url, procedure, input, callOptions);

  return {
    ...underTest,
    url,
    call: (procedure, input, callOptions) => send(procedure, input, callOptions) as Promise<CallResult<OutputOf<typeof procedure>>>,
    send,
    close,
  };
}

/** What `call` resolved to and how long it took (for lower bounds only: a held answer cannot come early). */
export async function timed<T>(call: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await call();
  return { result, ms: performance.now() - started };
}

let counter = 0;
export const uniqueEmail = (label = "user"): string => `${label}.${Date.now()}.${counter++}@example.com`;
export const GOOD_PASSWORD = "correct horse battery staple";

/** An account signed up over the wire in token mode. */
export interface WireAccount {
  id: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

/** Signs up through the API; an admin is promoted in the store, as an operator would. */
export async function signUpAccount(server: TestServer, role: "user" | "admin" = "user"): Promise<WireAccount> {
  const email = uniqueEmail(role);
  const { accessToken, refreshToken, user } = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
  if (role === "admin") await server.services.users.update(user.id, (u) => ({ ...u, role: "admin" }));
  return { id: user.id, email, accessToken, refreshToken: refreshToken! };
}
