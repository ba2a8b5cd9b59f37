import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { createMemoryBackend, createStore, openStore, type Store } from "@gatehouse/store";
import { createFakeClock, type FakeClock } from "@gatehouse/store/testing";
import type { GatehouseOptions } from "./config.js";
import { createGatehouseServer } from "./http/create-server.js";
import { createLogger } from "./log.js";
import { createOutboxMailer } from "./mail/outbox-mailer.js";
import { createServices, type Services } from "./services.js";
import { createSecretKeyRing, type KeyRing } from "./tokens/keyring.js";

/** Rules a test does not put under test stay out of its way: every test call comes from 127.0.0.1. */
const GENEROUS_LIMITS = {
  "login.ip": { max: 100_000, windowSeconds: 60 },
  "login.email": { max: 100_000, windowSeconds: 60 },
  "signup.ip": { max: 100_000, windowSeconds: 60 },
  default: { max: 100_000, windowSeconds: 60 },
};

export interface TestServicesOptions extends Partial<Omit<GatehouseOptions, "store" | "logger" | "clock" | "keys" | "mailer">> {
  /** Where the outbox transport writes mails; a fresh temp dir when omitted. */
  outboxDir?: string;
  storeUrl?: string;
  /** Serve from an existing store (another instance's, or one kept across a restart); it is left open on close. */
  store?: Store;
  /** Signing keys; a fresh random HS256 secret when omitted. */
  keys?: KeyRing;
  clock?: FakeClock;
}

/** Services as a test runs them: a fake clock, a fresh memory store unless told, outbox mail, captured logs, cheap bcrypt. */
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

/** The services behind a test server or an in-process caller; bcrypt cost 4 unless told (the cost is rarely what is under test). */
export async function createTestServices(options: TestServicesOptions = {}): Promise<TestServices> {
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
    dataKey: randomBytes(32).toString("base64url"),
    ...rest,
    limits: { ...GENEROUS_LIMITS, ...rest.limits },
    store,
    clock: clock.now,
    keys: keys ?? createSecretKeyRing([randomBytes(32)]),
    mailer: createOutboxMailer(outboxDir, clock.now),
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

export interface TestServer extends Omit<TestServices, "closeStore"> {
  /** `http://127.0.0.1:PORT`; the tRPC endpoint is `${url}/trpc`. */
  url: string;
  /** Closes the server (and the store, unless it was handed in); safe to call more than once. */
  close(): Promise<void>;
}

/** A real Gatehouse on a real port of 127.0.0.1 (any free one unless `port` is given), over `createTestServices`. */
export async function startTestServer(options: TestServicesOptions & { port?: number } = {}): Promise<TestServer> {
  const { port = 0, ...serviceOptions } = options;
  const { closeStore, ...underTest } = await createTestServices(serviceOptions);
  const server = createGatehouseServer(underTest.services);
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  let closed: Promise<void> | undefined;
  return {
    ...underTest,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      (closed ??= (async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await closeStore();
      })()),
  };
}
