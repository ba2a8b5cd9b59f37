import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, decodeSecret, type Verifier } from "../src/index.js";
import {
  createSecretKeyRing,
  dataOf,
  introspectionKey,
  refusal,
  requestsTo,
  signUp,
  startServer,
  type InputOf,
  type ProcedurePath,
  type TestServer,
} from "./support.js";

const SECRET = randomBytes(32).toString("base64");
const GATEHOUSE = { issuer: "gatehouse", audience: "gatehouse-api" };
const SCOPES = { user: ["notes:read"], admin: ["notes:read", "notes:moderate"] };
const INTROSPECT_PATH = "/trpc/auth.introspect";

let server: TestServer;
let admin: Awaited<ReturnType<typeof introspectionKey>>["admin"];
let apiKey: string;
beforeAll(async () => {
  server = await startServer({ keys: createSecretKeyRing([decodeSecret(SECRET)!]) });
  ({ admin, key: apiKey } = await introspectionKey(server));
});
afterAll(() => server.close());

const asAdmin = <P extends ProcedurePath>(procedure: P, input: InputOf<P>) => server.call(procedure, input, { bearer: admin.accessToken });

describe.each([
  ["with the secret", { secret: SECRET }],
  ["by introspection alone", {}],
])("introspection %s", (_label, keyOptions) => {
  const verifierAt = (now: () => number): Verifier =>
    createVerifier({ ...GATEHOUSE, ...keyOptions, introspect: { url: `${server.url}/`, apiKey }, scopesByRole: SCOPES, now });
  const verifier = () => verifierAt(server.clock.now);

  it("resolves with the role as it is now: a demotion takes its scopes away at once, whatever the token says", async () => {
    const promoted = await signUp(server, "admin");
    expect(await verifier().verify(promoted.accessToken)).toMatchObject({ userId: promoted.id, role: "admin", scopes: SCOPES.admin });
    await asAdmin("admin.setRole", { userId: promoted.id, role: "user" });
    expect(await verifier().verify(promoted.accessToken)).toMatchObject({ userId: promoted.id, role: "user", scopes: SCOPES.user });
  });

  it("refuses a logged-out session's token, and a locked account's, with token_revoked", async () => {
    const [alice, mallory] = await Promise.all([signUp(server), signUp(server)]);
    await verifier().verify(alice.accessToken);
    await server.call("auth.logout", undefined, { bearer: alice.accessToken });
    expect(await refusal(verifier().verify(alice.accessToken))).toBe("token_revoked");

    await verifier().verify(mallory.accessToken);
    await asAdmin("admin.lockUser", { userId: mallory.id, reason: "takeover" });
    expect(await refusal(verifier().verify(mallory.accessToken))).toBe("token_revoked");
  });

  it("refuses an expired token with token_expired without asking Gatehouse", async () => {
    const alice = await signUp(server);
    const asked = requestsTo(server, INTROSPECT_PATH);
    const later = verifierAt(() => server.clock.now() + 16 * 60_000);
    expect(await refusal(later.verify(alice.accessToken))).toBe("token_expired");
    expect(requestsTo(server, INTROSPECT_PATH)).toBe(asked);
  });

  it("refuses what is not a Gatehouse token with token_invalid", async () => {
    for (const token of ["not-a-jwt", "a.b.c", ""]) expect(await refusal(verifier().verify(token)), token).toBe("token_invalid");
  });

  it("sends the token by POST, never in a URL", async () => {
    const alice = await signUp(server);
    await verifier().verify(alice.accessToken);
    const lines = server.logLines().filter((line) => line.event === "request" && String(line.path).startsWith(INTROSPECT_PATH));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.method).toBe("POST");
  });
});

describe("introspection failures", () => {
  it("by introspection alone, a token for another issuer or audience is refused without asking Gatehouse", async () => {
    const alice = await signUp(server);
    const asked = requestsTo(server, INTROSPECT_PATH);
    for (const other of [{ issuer: "elsewhere" }, { audience: "billing-api" }]) {
      const verifier = createVerifier({ ...GATEHOUSE, ...other, introspect: { url: server.url, apiKey } });
      expect(await refusal(verifier.verify(alice.accessToken)), JSON.stringify(other)).toBe("token_invalid");
    }
    expect(requestsTo(server, INTROSPECT_PATH)).toBe(asked);
  });

  it("fails closed with store_unavailable when Gatehouse cannot answer or refuses the key", async () => {
    const alice = await signUp(server);
    const unreachable = createVerifier({ ...GATEHOUSE, secret: SECRET, introspect: { url: "http://127.0.0.1:9", apiKey }, now: server.clock.now });
    expect(await refusal(unreachable.verify(alice.accessToken))).toBe("store_unavailable");

    const { admin: owner, key } = await introspectionKey(server);
    const keyId = dataOf(await server.call("apiKeys.list", undefined, { query: true, bearer: owner.accessToken }))[0]!.id;
    await server.call("apiKeys.revoke", { id: keyId }, { bearer: owner.accessToken });
    const revokedKey = createVerifier({ ...GATEHOUSE, secret: SECRET, introspect: { url: server.url, apiKey: key }, now: server.clock.now });
    const error = await revokedKey.verify(alice.accessToken).catch((e: Error) => e);
    expect(error).toMatchObject({ reason: "store_unavailable", message: expect.stringContaining("HTTP 401") });
  });

  it("refuses an introspection key that is not a Gatehouse API key at start", () => {
    expect(() => createVerifier({ ...GATEHOUSE, introspect: { url: server.url, apiKey: "secret" } })).toThrow(/gth_/);
  });
});
