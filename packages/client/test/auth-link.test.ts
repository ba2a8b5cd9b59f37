import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { AuthError } from "@gatehouse/auth";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { initTRPC, TRPCError } from "@trpc/server";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authLink, createAuthClient, reasonOf } from "../src/index.js";
import { GOOD_PASSWORD, startGatehouse, uniqueEmail, type GatehouseUnderTest } from "./support/gatehouse-server.js";
import { CookieJar, createRecordingFetch } from "./support/recording-fetch.js";

let gatehouse: GatehouseUnderTest;
let appServer: Server;
let appUrl: string;

/** An app's own API, which accepts Gatehouse access tokens and answers with Gatehouse's reasons. */
function createAppRouter(services: GatehouseUnderTest["services"]) {
  const t = initTRPC.context<{ authorization: string | undefined }>().create({
    errorFormatter: ({ shape, error }) => ({ ...shape, data: { ...shape.data, reason: error instanceof AuthError ? error.reason : undefined } }),
  });
  return t.router({
    notes: t.procedure.query(async ({ ctx }) => {
      const token = ctx.authorization?.startsWith("Bearer ") ? ctx.authorization.slice(7) : undefined;
      if (!token) throw new AuthError("token_invalid");
      const { user } = await services.sessionAuth.authenticate(token);
      return { owner: user.email, notes: ["buy milk"] };
    }),
    // A server whose clock is far off: every token looks expired to it.
    skewed: t.procedure.query(() => {
      throw new AuthError("token_expired");
    }),
    // A server that says 401 its own way, without Gatehouse's reason.
    plain401: t.procedure.query(() => {
      throw new TRPCError({ code: "UNAUTHORIZED" });
    }),
  });
}
type AppApi = ReturnType<typeof createAppRouter>;

beforeAll(async () => {
  gatehouse = await startGatehouse();
  appServer = createHTTPServer({ router: createAppRouter(gatehouse.services), createContext: ({ req }) => ({ authorization: req.headers.authorization }) });
  await new Promise<void>((resolve) => appServer.listen(0, "127.0.0.1", resolve));
  appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  appServer.closeAllConnections();
  await new Promise<void>((resolve) => appServer.close(() => resolve()));
  await gatehouse.close();
});

function setup() {
  const jar = new CookieJar();
  const authWire = createRecordingFetch(jar);
  const appWire = createRecordingFetch();
  const auth = createAuthClient({ url: gatehouse.trpcUrl, fetch: authWire.fetch });
  const app = createTRPCClient<AppApi>({
    links: [authLink(auth), httpBatchLink({ url: appUrl, headers: auth.authHeaders, fetch: appWire.fetch })],
  });
  return { auth, app, authWire, appWire, jar };
}

describe("authLink in front of an app's own tRPC client", () => {
  it("sends the access token as Authorization: Bearer to the app's API", async () => {
    const { auth, app, appWire } = setup();
    const email = uniqueEmail();
    await auth.signup({ email, password: GOOD_PASSWORD });
    expect(await app.notes.query()).toEqual({ owner: email, notes: ["buy milk"] });
    expect(appWire.requests[0]?.headers.get("authorization")).toBe(auth.authHeaders().Authorization);
    auth.dispose();
  });

  it("restores the session before the first call of a fresh page", async () => {
    const first = setup();
    const email = uniqueEmail();
    await first.auth.signup({ email, password: GOOD_PASSWORD });
    first.auth.dispose();

    const auth = createAuthClient({ url: gatehouse.trpcUrl, fetch: createRecordingFetch(first.jar).fetch });
    const app = createTRPCClient<AppApi>({ links: [authLink(auth), httpBatchLink({ url: appUrl, headers: auth.authHeaders })] });
    expect((await app.notes.query()).owner).toBe(email);
    auth.dispose();
  });

  it("refreshes once for a batch of calls the app refuses with token_expired, and retries them", async () => {
    const { auth, app, authWire, appWire } = setup();
    await auth.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    gatehouse.clock.advance(15 * 60_000 + 31_000);
    authWire.reset();

    const answers = await Promise.all(Array.from({ length: 10 }, () => app.notes.query()));
    expect(answers).toHaveLength(10);
    expect(authWire.count("auth.refresh")).toBe(1);
    // One refused batch, then the retried calls with the new token.
    expect(appWire.requests[0]?.status).toBe(401);
    expect(appWire.requests.at(-1)?.headers.get("authorization")).toBe(auth.authHeaders().Authorization);
    auth.dispose();
  });

  it("signed out: sends no token, does not try to refresh, and passes the refusal on", async () => {
    const { auth, app, authWire, appWire } = setup();
    const error = await app.notes.query().catch((caught: unknown) => caught);
    expect(reasonOf(error)).toBe("token_invalid");
    expect(appWire.requests[0]?.headers.get("authorization")).toBeNull();
    // Only the one restore attempt, which found no cookie.
    expect(authWire.count("auth.refresh")).toBe(1);
    auth.dispose();
  });

  it("retries only once: a call refused again after the refresh fails with that refusal", async () => {
    const { auth, app, authWire, appWire } = setup();
    await auth.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    authWire.reset();
    const error = await app.skewed.query().catch((caught: unknown) => caught);
    expect(reasonOf(error)).toBe("token_expired");
    expect(authWire.count("auth.refresh")).toBe(1);
    expect(appWire.requests.map((request) => request.status)).toEqual([401, 401]);
    expect(auth.status).toBe("signed-in");
    auth.dispose();
  });

  it("refreshes on whatever refusal `refreshOn` names", async () => {
    const { auth, authWire } = setup();
    const appWire = createRecordingFetch();
    const app = createTRPCClient<AppApi>({
      links: [
        authLink(auth, { refreshOn: (error) => error.data?.httpStatus === 401 }),
        httpBatchLink({ url: appUrl, headers: auth.authHeaders, fetch: appWire.fetch }),
      ],
    });
    await auth.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    authWire.reset();
    await expect(app.plain401.query()).rejects.toThrow();
    expect(authWire.count("auth.refresh")).toBe(1);
    expect(appWire.requests).toHaveLength(2);
    auth.dispose();
  });

  it("refuses a client that createAuthClient did not make", () => {
    expect(() => authLink({} as never)).toThrow(TypeError);
  });
});
