import { createSecretKeyRing, type AppRouter, type Services } from "@gatehouse/auth";
import { startTestServer, type TestServicesOptions } from "@gatehouse/auth/testing";
import type { FakeClock } from "@gatehouse/store/testing";
import { sendTo, type CallOptions, type CallResult, type InputAt, type OutputAt, type ProcedurePathOf } from "../../../auth/test/support/wire.js";
import { closeWhenTestEnds } from "../../../auth/test/support/cleanup.js";

export { dataOf, reasonOf as wireReasonOf } from "../../../auth/test/support/wire.js";

/** The signing secret, which the team API of these tests verifies tokens with. */
export const TEST_SECRET = new TextEncoder().encode("client-test-secret-0123456789-abcdefghijklmnop");

/** Gatehouse as the SDK meets it: its tRPC endpoint, plus what a test reads on the server's side. */
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

/** Gatehouse's own test server (a real port, a fake clock, a memory store, outbox mail), started inside a test and closed when it ends. */
export async function startGatehouse(options: TestServicesOptions = {}): Promise<GatehouseUnderTest> {
  const server = await startTestServer({ appUrl: "https://app.example.com", ...options, keys: createSecretKeyRing([TEST_SECRET]) });
  closeWhenTestEnds(server.close);

  /** The text of the newest mail to `to` that mentions `containing`, once queued mails are written. */
  async function newestMailText(to: string, containing: string): Promise<string> {
    return (await server.outbox()).filter((mail) => mail.to === to && mail.text.includes(containing)).at(-1)?.text ?? "";
  }

  async function linkToken(to: string, path: string): Promise<string> {
    const token = new RegExp(`${path}\\?token=([\\w-]+)`).exec(await newestMailText(to, path))?.[1];
    if (!token) throw new Error(`no mail to ${to} linking to ${path}`);
    return token;
  }

  return {
    trpcUrl: `${server.url}/trpc`,
    clock: server.clock,
    services: server.services,
    linkToken,
    async signInCode(to) {
      const token = await linkToken(to, "/sign-in-code");
      const code = /\b(\d{6})\b/.exec(await newestMailText(to, "/sign-in-code"))?.[1];
      if (!code) throw new Error(`no sign-in code in the mail to ${to}`);
      return { code, token };
    },
    call: (procedure, input, callOptions) => sendTo(server.url, procedure, input, callOptions) as Promise<CallResult<OutputAt<AppRouter, typeof procedure>>>,
    close: server.close,
  };
}

let counter = 0;
export const uniqueEmail = (label = "user"): string => `${label}.${Date.now()}.${counter++}@example.com`;
export const GOOD_PASSWORD = "correct horse battery staple";
