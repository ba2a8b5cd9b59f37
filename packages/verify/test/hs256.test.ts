import { randomBytes } from "node:crypto";
import { SignJWT, UnsecuredJWT, decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVerifier, decodeSecret, type Verifier } from "../src/index.js";
import { createSecretKeyRing, dataOf, GOOD_PASSWORD, refusal, signUp, startServer, type TestServer } from "./support.js";

// As an operator writes AUTH_JWT_SECRET: base64 for the current one, hex for the previous.
const SECRET = randomBytes(32).toString("base64");
const PREVIOUS = randomBytes(48).toString("hex");
const GATEHOUSE = { issuer: "gatehouse", audience: "gatehouse-api" };

let server: TestServer;
let verifier: Verifier;
beforeAll(async () => {
  server = await startServer({ keys: createSecretKeyRing([decodeSecret(SECRET)!]) });
  verifier = createVerifier({ ...GATEHOUSE, secret: SECRET, now: server.clock.now });
});
afterAll(() => server.close());

const nowSeconds = () => Math.floor(server.clock.now() / 1000);

describe("HS256 with the shared secret", () => {
  it("resolves a token to the caller, given alone or as an Authorization header", async () => {
    const alice = await signUp(server);
    const expected = { userId: alice.id, sessionId: decodeJwt(alice.accessToken).sid, role: "user", authTime: nowSeconds() };
    expect(await verifier.verify(alice.accessToken)).toEqual(expected);
    expect(await verifier.verify(`Bearer ${alice.accessToken}`)).toEqual(expected);
    expect(await verifier.verify(`bearer   ${alice.accessToken} `)).toEqual(expected);
  });

  it("accepts a token up to 30 s past its expiry, as the server does, then refuses it with token_expired", async () => {
    const alice = await signUp(server);
    const { exp } = decodeJwt(alice.accessToken);
    const late = createVerifier({ ...GATEHOUSE, secret: SECRET, now: () => (exp! + 29) * 1000 });
    expect((await late.verify(alice.accessToken)).userId).toBe(alice.id);
    const tooLate = createVerifier({ ...GATEHOUSE, secret: SECRET, now: () => (exp! + 30) * 1000 });
    expect(await refusal(tooLate.verify(alice.accessToken))).toBe("token_expired");
  });

  it("refuses with token_invalid: another issuer, audience or secret, a changed claim, alg none, not a JWT, no token", async () => {
    const alice = await signUp(server);
    const [header, payload, signature] = alice.accessToken.split(".");
    const promoted = Buffer.from(JSON.stringify({ ...decodeJwt(alice.accessToken), role: "admin" })).toString("base64url");
    const unsigned = new UnsecuredJWT({ ...decodeJwt(alice.accessToken) }).encode();
    expect(payload).toBeDefined();

    const cases: Array<[string, Verifier, string | undefined]> = [
      ["another issuer", createVerifier({ ...GATEHOUSE, issuer: "elsewhere", secret: SECRET }), alice.accessToken],
      ["another audience", createVerifier({ ...GATEHOUSE, audience: "billing-api", secret: SECRET }), alice.accessToken],
      ["another secret", createVerifier({ ...GATEHOUSE, secret: randomBytes(32).toString("hex") }), alice.accessToken],
      ["a changed claim", verifier, `${header}.${promoted}.${signature}`],
      ["alg none", verifier, unsigned],
      ["not a JWT", verifier, "not-a-jwt"],
      ["another scheme", verifier, `Basic ${alice.accessToken}`],
      ["no token", verifier, undefined],
      ["an empty header", verifier, "Bearer "],
    ];
    for (const [label, checker, token] of cases) expect(await refusal(checker.verify(token)), label).toBe("token_invalid");
  });

  it("refuses a Gatehouse API key with forbidden: it is for Gatehouse's own API", async () => {
    const alice = await signUp(server);
    await server.call("auth.reauthenticate", { password: GOOD_PASSWORD }, { bearer: alice.accessToken });
    const key = dataOf(await server.call("apiKeys.create", { name: "ci", scopes: ["profile:read"] }, { bearer: alice.accessToken })).key;
    expect(await refusal(verifier.verify(`Bearer ${key}`))).toBe("forbidden");
  });

  it("verifies tokens of a previous secret when given the list, current first (AUTH_JWT_PREVIOUS_SECRETS)", async () => {
    const before = await startServer({ keys: createSecretKeyRing([decodeSecret(PREVIOUS)!]), clock: server.clock });
    try {
      const alice = await signUp(before);
      expect(await refusal(verifier.verify(alice.accessToken))).toBe("token_invalid");
      const rotating = createVerifier({ ...GATEHOUSE, secret: [SECRET, PREVIOUS], now: server.clock.now });
      expect((await rotating.verify(alice.accessToken)).userId).toBe(alice.id);
      // The current secret still comes first.
      const bob = await signUp(server);
      expect((await rotating.verify(bob.accessToken)).userId).toBe(bob.id);
    } finally {
      await before.close();
    }
  });

  it("without introspection knows nothing of a logout: the token holds until it expires", async () => {
    const alice = await signUp(server);
    await server.call("auth.logout", undefined, { bearer: alice.accessToken });
    expect((await verifier.verify(alice.accessToken)).userId).toBe(alice.id);
  });

  it("gives scopes from scopesByRole and the token's scope claim (RFC 9068)", async () => {
    const alice = await signUp(server);
    const scoped = createVerifier({
      ...GATEHOUSE,
      secret: SECRET,
      now: server.clock.now,
      scopesByRole: { user: ["notes:read"], admin: ["notes:read", "notes:moderate"] },
    });
    expect((await scoped.verify(alice.accessToken)).scopes).toEqual(["notes:read"]);
    const withClaim = await new SignJWT({ ...decodeJwt(alice.accessToken), scope: "notes:export notes:read" })
      .setProtectedHeader({ alg: "HS256" })
      .sign(decodeSecret(SECRET)!);
    expect((await scoped.verify(withClaim)).scopes).toEqual(["notes:export", "notes:read"]);
    expect((await verifier.verify(alice.accessToken)).scopes).toBeUndefined();
  });

  it("refuses to start without a usable way to check tokens", () => {
    expect(() => createVerifier({ ...GATEHOUSE })).toThrow(/jwksUrl.*secret.*introspect/);
    expect(() => createVerifier({ ...GATEHOUSE, secret: randomBytes(16).toString("hex") })).toThrow(/at least 32 bytes/);
    expect(() => createVerifier({ ...GATEHOUSE, secret: "not base64 or hex!" })).toThrow(/at least 32 bytes/);
    expect(() => createVerifier({ ...GATEHOUSE, issuer: "", secret: SECRET })).toThrow(/issuer/);
  });
});
