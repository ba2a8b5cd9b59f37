import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import {
  createGatehouseServer,
  createLogger,
  createOutboxMailer,
  createSecretKeyRing,
  createServices,
  type AppRouter,
  type GatehouseOptions,
  type Services,
} from "@gatehouse/auth";
import { createMemoryBackend, createStore } from "@gatehouse/store";
import { createFakeClock, type FakeClock } from "@gatehouse/store/testing";
import { sendTo, type CallOptions, type CallResult, type InputAt, type OutputAt, type ProcedurePathOf } from "../../../auth/test/support/wire.js";

import { closeWhenTestEnds } from "../../../auth/test/support/cleanup.js";

export { dataOf, reasonOf as wireReasonOf } from "../../../auth/test/support/wire.js";

export const TEST_SECRET = new TextEncoder().encode("client-test-secret-0123456789-abcdefghijklmnop");

// Every test request comes from 127.0.0.1; rules under test set their own limits.
const GENEROUS_LIMITS = {
  "login.ip": { max: 100_000, windowSeconds: 60 },
  "login.email": { max: 100_000, windowSeconds: 60 },
  "signup.ip": { max: 100_000, windowSeconds: 60 },
  default: { max: 100_000, windowSeconds: 60 },
};

export interface GatehouseUnderTest {
  /** The tRPC endpoint, as a client is configured with it. */
  trpcUrl: string;
  clock: FakeClock;
  services: Services;
  /** The token in the newest mail to `to` that links to `path` (`/reset-password`, `/verify-email`), once queued mails are written. */
  linkToken(to: string, path: string): Promise<string>;
  /** The code and link token of the newest sign-in code mail to `to`. */
  signInCode(to: string): Promise<{ code: string; token: string }>;
  /** A direct call, bypassing the SDK: for checking what the server thinks. */
  call<P extends ProcedurePathOf<AppRouter>>(procedure: P, input?: InputAt<AppRouter, P>, options?: CallOptions): Promise<CallResult<OutputAt<AppRouter, P>>>;
  close(): Promise<void>;
}

// Newer servers seal TOTP seeds under it and refuse to start without one. Spread
// from a variable so this also compiles against a server that has no such option.
const DATA_KEY = { dataKey: "client-test-data-key-0123456789-abcdefghijklmnop" };

type ServerOptions = Partial<Omit<GatehouseOptions, "store" | "keys" | "logger" | "clock">>;

/** A real Gatehouse on a real port, in this process, the way packages/auth's harness starts one; started inside a test, closed when it ends. */
export async function startGatehouse(options: ServerOptions = {}): Promise<GatehouseUnderTest> {
  const clock = createFakeClock();
  const store = createStore(createMemoryBackend({ clock: clock.now }));
  // The development transport, as `pnpm dev` has it: one JSON file per mail.
  const outboxDir = mkdtempSync(join(tmpdir(), "gatehouse-client-outbox-"));
  const services = await createServices({
    mailer: createOutboxMailer(outboxDir, clock.now),
    appUrl: "https://app.example.com",
    bcryptCost: 4,
    ...DATA_KEY,
    ...options,
    limits: { ...GENEROUS_LIMITS, ...options.limits },
    store,
    clock: clock.now,
    keys: createSecretKeyRing([TEST_SECRET]),
    logger: createLogger({ destination: new Writable({ write: (_chunk, _encoding, done) => done() }) }),
  });
  const server = createGatehouseServer(services);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** The text of the newest mail to `to` that mentions `containing`, once queued mails are written. */
  async function newestMailText(to: string, containing: string): Promise<string> {
    await services.mail.drain();
    const mails = readdirSync(outboxDir)
      .filter((name) => name.endsWith(".json"))
      .sort()
      .map((name) => JSON.parse(readFileSync(join(outboxDir, name), "utf8")) as { to: string; text: string });
    return mails.filter((mail) => mail.to === to && mail.text.includes(containing)).at(-1)?.text ?? "";
  }

  async function linkToken(to: string, path: string): Promise<string> {
    const token = new RegExp(`${path}\\?token=([\\w-]+)`).exec(await newestMailText(to, path))?.[1];
    if (!token) throw new Error(`no mail to ${to} linking to ${path}`);
    return token;
  }

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    })());
  closeWhenTestEnds(close);

  return {
    trpcUrl: `${origin}/trpc`,
    clock,
    services,
    linkToken,
    async signInCode(to) {
      const token = await linkToken(to, "/sign-in-code");
      const code = /\b(\d{6})\b/.exec(await newestMailText(to, "/sign-in-code"))?.[1];
      if (!code) throw new Error(`no sign-in code in the mail to ${to}`);
      return { code, token };
    },
    call: (procedure, input, callOptions) => sendTo(origin, procedure, input, callOptions) as Promise<CallResult<OutputAt<AppRouter, typeof procedure>>>,

    close,
  };
}

let counter = 0;
export const uniqueEmail = (label = "user"): string => `${label}.${Date.now()}.${counter++}@example.com`;
export const GOOD_PASSWORD = "correct horse battery staple";
