import { exportJWK, generateKeyPair, type JWK } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createVerifier, type Verifier } from "../src/index.js";
import { createEcKeyRing, createSecretKeyRing, refusal, requestsTo, signUp, startServer, type TestServer } from "./support.js";

const GATEHOUSE = { issuer: "gatehouse", audience: "gatehouse-api" };
const JWKS_PATH = "/.well-known/jwks.json";

const privateJwk = async (kid: string): Promise<JWK> => ({ ...(await exportJWK((await generateKeyPair("ES256", { extractable: true })).privateKey)), kid });

let keys: { first: JWK; second: JWK; third: JWK };
let ring: Awaited<ReturnType<typeof createEcKeyRing>>;
let server: TestServer;
let verifier: Verifier;
beforeAll(async () => {
  keys = { first: await privateJwk("first"), second: await privateJwk("second"), third: await privateJwk("third") };
  ring = await createEcKeyRing([keys.first]);
  server = await startServer({ keys: ring });
  verifier = createVerifier({ ...GATEHOUSE, jwksUrl: `${server.url}${JWKS_PATH}`, now: server.clock.now });
});
afterAll(() => server.close());
afterEach(() => void vi.useRealTimers());

/** The server rolls its keys in place: it signs with the first and publishes all, as after a restart with a new key ring. */
async function rotateTo(...jwks: JWK[]): Promise<void> {
  Object.assign(ring, await createEcKeyRing(jwks));
}

/** jose asks for the set again at most every 30 s, and keeps it 10 minutes: move its clock, not the tokens'. */
function laterBy(ms: number): void {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + ms });
}

describe("ES256 through the JWKS", () => {
  it("fetches the key set once and keeps it, however many tokens are checked at once", async () => {
    const users = await Promise.all([signUp(server), signUp(server), signUp(server)]);
    const verified = await Promise.all([...users, ...users].map((user) => verifier.verify(user.accessToken)));
    expect(verified.map((user) => user.userId)).toEqual([...users, ...users].map((user) => user.id));
    expect(await verifier.verify(users[0]!.accessToken)).toMatchObject({ role: "user", authTime: expect.any(Number) });
    expect(requestsTo(server, JWKS_PATH)).toBe(1);
  });

  it("follows a rotation: a new key id fetches the set again, the old key verifies while published, a retired one stops", async () => {
    const before = await signUp(server);
    await verifier.verify(before.accessToken);
    const fetched = requestsTo(server, JWKS_PATH);

    await rotateTo(keys.second, keys.first);
    const after = await signUp(server);
    laterBy(31_000);
    expect((await verifier.verify(after.accessToken)).userId).toBe(after.id);
    expect(requestsTo(server, JWKS_PATH)).toBe(fetched + 1);
    expect((await verifier.verify(before.accessToken)).userId).toBe(before.id);
    expect(requestsTo(server, JWKS_PATH)).toBe(fetched + 1);

    // The first key is retired; once the kept set is stale and fetched again, its tokens are refused.
    await rotateTo(keys.third, keys.second);
    const latest = await signUp(server);
    laterBy(11 * 60_000);
    expect((await verifier.verify(latest.accessToken)).userId).toBe(latest.id);
    expect(await refusal(verifier.verify(before.accessToken))).toBe("token_invalid");
    expect((await verifier.verify(after.accessToken)).userId).toBe(after.id);
  });

  it("refuses a token signed with the shared-secret algorithm (no algorithm confusion)", async () => {
    const hmacServer = await startServer({
      keys: createSecretKeyRing([new TextEncoder().encode("a-shared-secret-of-at-least-32-bytes!!")]),
      clock: server.clock,
    });
    try {
      const alice = await signUp(hmacServer);
      expect(await refusal(verifier.verify(alice.accessToken))).toBe("token_invalid");
    } finally {
      await hmacServer.close();
    }
  });

  it("answers store_unavailable, not token_invalid, when the key set cannot be fetched", async () => {
    const alice = await signUp(server);
    const nowhere = createVerifier({ ...GATEHOUSE, jwksUrl: "http://127.0.0.1:9/.well-known/jwks.json", now: server.clock.now });
    expect(await refusal(nowhere.verify(alice.accessToken))).toBe("store_unavailable");
    const notJwks = createVerifier({ ...GATEHOUSE, jwksUrl: `${server.url}/health`, now: server.clock.now });
    expect(await refusal(notJwks.verify(alice.accessToken))).toBe("store_unavailable");
    const missing = createVerifier({ ...GATEHOUSE, jwksUrl: `${server.url}/no-such-path`, now: server.clock.now });
    expect(await refusal(missing.verify(alice.accessToken))).toBe("store_unavailable");
  });
});
