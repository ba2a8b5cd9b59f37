import { createSecretKeyRing, type AppRouter } from "../src/index.js";
import {
  createTestServices as createServicesUnderTest,
  startTestServer,
  type TestServer as ServerUnderTest,
  type TestServices,
  type TestServicesOptions,
} from "../src/testing.js";
import { closeWhenTestEnds } from "./support/cleanup.js";
import { sendTo, type CallOptions, type CallResult, type InputAt, type OutputAt, type ProcedurePathOf } from "./support/wire.js";

export type { CallOptions } from "./support/wire.js";
export type { TestServices } from "../src/testing.js";
/** A procedure's dotted path, as in its URL (`auth.login`). */
export type ProcedurePath = ProcedurePathOf<AppRouter>;
export type InputOf<P extends ProcedurePath> = InputAt<AppRouter, P>;
export type OutputOf<P extends ProcedurePath> = OutputAt<AppRouter, P>;

import { dataOf } from "./support/wire.js";

export { challengeOf, dataOf, reasonOf, signedInOf, tokensOf, wireErrorOf, type CallResult, type WireError } from "./support/wire.js";

// Fixed, so a test can derive what the server derives from them (the audit chain's key, token signatures).
export const TEST_SECRET = new TextEncoder().encode("test-secret-0123456789-abcdefghijklmnopqrstuvwxyz");
export const TEST_DATA_KEY = "test-data-key-test-data-key-test-data-key";

export interface TestServer extends ServerUnderTest {
  /** Calls a procedure: mutations by POST, queries by GET with ?input=. */
  call<P extends ProcedurePath>(procedure: P, input?: InputOf<P>, options?: CallOptions): Promise<CallResult<OutputOf<P>>>;
  /** Sends anything to any path under /trpc/, for what the typed `call` refuses to write (bad input, unknown procedures, batches). */
  send(path: string, input?: unknown, options?: CallOptions): Promise<CallResult>;
}

export type StartOptions = TestServicesOptions & {
  /** Listen here instead of on any free port (for a server that must know its own URL, e.g. as APP_URL). */
  port?: number;
};

/** The package's test services with this suite's fixed secrets. */
export const createTestServices = (options: TestServicesOptions = {}): Promise<TestServices> =>
  createServicesUnderTest({ dataKey: TEST_DATA_KEY, ...options, keys: options.keys ?? createSecretKeyRing([TEST_SECRET]) });

/**
 * A real server on a real port. Started inside a test, it is closed when the
 * test finishes, passed or failed; a file's shared server (started in
 * beforeAll) is closed by the file's afterAll.
 */
export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const server = await startTestServer({ dataKey: TEST_DATA_KEY, ...options, keys: options.keys ?? createSecretKeyRing([TEST_SECRET]) });
  closeWhenTestEnds(server.close);
  const send = (procedure: string, input?: unknown, callOptions?: CallOptions) => sendTo(server.url, procedure, input, callOptions);
  return {
    ...server,
    call: (procedure, input, callOptions) => send(procedure, input, callOptions) as Promise<CallResult<OutputOf<typeof procedure>>>,
    send,
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
