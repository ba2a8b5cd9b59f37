import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { initTRPC, TRPCError } from "@trpc/server";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { createVerifier, decodeSecret, type VerifiedUser } from "../src/index.js";
import { gatehouseProcedures, type GatehouseContext, type GatehouseErrorShape, type RefusalReason } from "../src/trpc.js";
import { createSecretKeyRing, dataOf, GOOD_PASSWORD, introspectionKey, signUp, startServer, type Account, type TestServer } from "./support.js";

const SECRET = randomBytes(32).toString("hex");

let gatehouse: TestServer;
let teamApi: ReturnType<typeof createHTTPServer>;
let teamUrl: string;

/** A team's own router, wired as the package README says. */
function teamRouter(verifier: ReturnType<typeof createVerifier>) {
  const t = initTRPC.context<GatehouseContext>().create();
  const { authed, withScope, fresh } = gatehouseProcedures(t.procedure, verifier);
  return t.router({
    open: t.procedure.query(() => "anyone"),
    whoami: authed.query(({ ctx }) => ctx.user),
    moderate: withScope("notes:moderate").mutation(({ ctx }) => `moderated by ${ctx.user.userId}`),
    purge: fresh(5 * 60).mutation(() => "purged"),
    purgeAll: fresh(5 * 60, "notes:moderate").mutation(() => "purged everything"),
    missing: authed.query((): string => {
      throw new TRPCError({ code: "NOT_FOUND", message: "no such note" });
    }),
  });
}
type TeamRouter = ReturnType<typeof teamRouter>;

beforeAll(async () => {
  gatehouse = await startServer({ keys: createSecretKeyRing([decodeSecret(SECRET)!]) });
  const { key } = await introspectionKey(gatehouse);
  const verifier = createVerifier({
    issuer: "gatehouse",
    audience: "gatehouse-api",
    secret: SECRET,
    introspect: { url: gatehouse.url, apiKey: key },
    scopesByRole: { user: ["notes:read"], admin: ["notes:read", "notes:moderate"] },
    now: gatehouse.clock.now,
  });
  teamApi = createHTTPServer({ router: teamRouter(verifier), createContext: ({ req }) => ({ authorization: req.headers.authorization }) });
  await new Promise<void>((resolve) => teamApi.listen(0, "127.0.0.1", resolve));
  teamUrl = `http://127.0.0.1:${(teamApi.address() as AddressInfo).port}`;
});
afterAll(async () => {
  teamApi.closeAllConnections();
  await new Promise((resolve) => teamApi.close(resolve));
  await gatehouse.close();
});

const clientFor = (token: string | undefined) =>
  createTRPCClient<TeamRouter>({ links: [httpLink({ url: teamUrl, headers: () => (token ? { Authorization: `Bearer ${token}` } : {}) })] });

/** The refusal as the client sees it: HTTP status and Gatehouse's reason. */
async function refusedWith(call: Promise<unknown>): Promise<{ status: unknown; reason: RefusalReason | undefined }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the call was not refused").toBeInstanceOf(TRPCClientError);
  // These procedures' error shape (GatehouseErrorShape) puts the reason in `data`.
  const data = (error as TRPCClientError<TeamRouter>).data as GatehouseErrorShape["data"] | undefined;
  return { status: data?.httpStatus, reason: data?.reason };
}

describe("the team's router on gatehouseProcedures", () => {
  it("authed gives the resolver ctx.user; public procedures stay public", async () => {
    const alice = await signUp(gatehouse);
    const me = await clientFor(alice.accessToken).whoami.query();
    expectTypeOf(me).toEqualTypeOf<VerifiedUser>();
    expect(me).toMatchObject({ userId: alice.id, role: "user", scopes: ["notes:read"] });
    expect(await clientFor(undefined).open.query()).toBe("anyone");
  });

  it("refuses like Gatehouse: no token or a bad one 401 token_invalid, an expired one 401 token_expired", async () => {
    const alice = await signUp(gatehouse);
    expect(await refusedWith(clientFor(undefined).whoami.query())).toEqual({ status: 401, reason: "token_invalid" });
    expect(await refusedWith(clientFor("forged").whoami.query())).toEqual({ status: 401, reason: "token_invalid" });
    gatehouse.clock.advance(16 * 60_000);
    expect(await refusedWith(clientFor(alice.accessToken).whoami.query())).toEqual({ status: 401, reason: "token_expired" });
  });

  it("refuses a logged-out session's token with 401 token_revoked (introspection)", async () => {
    const alice = await signUp(gatehouse);
    await gatehouse.call("auth.logout", undefined, { bearer: alice.accessToken });
    expect(await refusedWith(clientFor(alice.accessToken).whoami.query())).toEqual({ status: 401, reason: "token_revoked" });
  });

  it("withScope refuses a user without the scope with 403 forbidden", async () => {
    const [alice, boss] = await Promise.all([signUp(gatehouse), signUp(gatehouse, "admin")]);
    expect(await refusedWith(clientFor(alice.accessToken).moderate.mutate())).toEqual({ status: 403, reason: "forbidden" });
    expect(await clientFor(boss.accessToken).moderate.mutate()).toBe(`moderated by ${boss.id}`);
  });

  it("fresh refuses an old sign-in with 403 reauth_required until the user steps up with Gatehouse", async () => {
    const alice = await signUp(gatehouse);
    expect(await clientFor(alice.accessToken).purge.mutate()).toBe("purged");
    gatehouse.clock.advance(6 * 60_000);
    expect(await refusedWith(clientFor(alice.accessToken).purge.mutate())).toEqual({ status: 403, reason: "reauth_required" });
    const stepped = await stepUp(alice);
    expect(await clientFor(stepped).purge.mutate()).toBe("purged");
  });

  it("fresh with a scope needs both", async () => {
    const [alice, boss] = await Promise.all([signUp(gatehouse), signUp(gatehouse, "admin")]);
    expect(await refusedWith(clientFor(alice.accessToken).purgeAll.mutate())).toEqual({ status: 403, reason: "forbidden" });
    gatehouse.clock.advance(6 * 60_000);
    expect(await refusedWith(clientFor(boss.accessToken).purgeAll.mutate())).toEqual({ status: 403, reason: "reauth_required" });
    expect(await clientFor(await stepUp(boss)).purgeAll.mutate()).toBe("purged everything");
  });

  it("leaves the team's own errors as they are, without a reason", async () => {
    const alice = await signUp(gatehouse);
    expect(await refusedWith(clientFor(alice.accessToken).missing.query())).toEqual({ status: 404, reason: undefined });
  });
});

async function stepUp(account: Account): Promise<string> {
  const answer = await gatehouse.call("auth.reauthenticate", { password: GOOD_PASSWORD }, { bearer: account.accessToken });
  return dataOf(answer).accessToken;
}
