import { SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSecretKeyRing } from "../src/index.js";
import { dataOf, GOOD_PASSWORD, reasonOf, signedInOf, startServer, TEST_SECRET, uniqueEmail, type TestServer } from "./harness.js";

let server: TestServer;
let accessToken: string;
let claims: Record<string, unknown>;

beforeAll(async () => {
  server = await startServer();
  const res = await server.call("auth.signup", { email: uniqueEmail(), password: GOOD_PASSWORD }, { mode: "token" });
  accessToken = dataOf(res).accessToken;
  claims = JSON.parse(Buffer.from(accessToken.split(".")[1]!, "base64url").toString());
});
afterAll(() => server.close());

const me = (bearer?: string) => server.call("auth.me", undefined, { query: true, ...(bearer ? { bearer } : {}) });

const forge = (payload: Record<string, unknown>, secret: Uint8Array = TEST_SECRET, kid = createSecretKeyRing([TEST_SECRET]).signing.kid) =>
  new SignJWT(payload).setProtectedHeader({ alg: "HS256", kid }).sign(secret);

describe("access tokens", () => {
  it("carry the contract's claims and a kid, and answer auth.me", async () => {
    expect(Object.keys(claims).sort()).toEqual(["aud", "auth_time", "exp", "iat", "iss", "jti", "role", "sid", "sub"]);
    expect(claims).toMatchObject({ iss: "gatehouse", aud: "gatehouse-api", role: "user" });
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
    const header = JSON.parse(Buffer.from(accessToken.split(".")[0]!, "base64url").toString());
    expect(header).toMatchObject({ alg: "HS256", kid: expect.any(String) });
    const res = await me(accessToken);
    expect(res.status).toBe(200);
    expect(dataOf(res).user.id).toBe(claims.sub);
  });

  it("refuses a missing token", async () => {
    const res = await me();
    expect(res.status).toBe(401);
    expect(reasonOf(res)).toBe("token_invalid");
  });

  it("refuses alg none", async () => {
    const unsecured = new UnsecuredJWT(claims).encode();
    expect(reasonOf(await me(unsecured))).toBe("token_invalid");
  });

  it("refuses a tampered payload", async () => {
    const [h, , s] = accessToken.split(".");
    const payload = Buffer.from(JSON.stringify({ ...claims, role: "admin" })).toString("base64url");
    expect(reasonOf(await me(`${h}.${payload}.${s}`))).toBe("token_invalid");
  });

  it("refuses a token signed with another secret", async () => {
    const token = await forge(claims, new TextEncoder().encode("another-secret-another-secret-another-secret"));
    expect(reasonOf(await me(token))).toBe("token_invalid");
  });

  it("refuses a wrong audience and a wrong issuer", async () => {
    expect(reasonOf(await me(await forge({ ...claims, aud: "someone-else" })))).toBe("token_invalid");
    expect(reasonOf(await me(await forge({ ...claims, iss: "someone-else" })))).toBe("token_invalid");
    // The same claims correctly signed pass, so the refusals above are about aud/iss alone.
    expect((await me(await forge({ ...claims, jti: "fresh" }))).status).toBe(200);
  });

  it("answers token_expired, distinct from token_invalid, once past exp plus 30 s tolerance", async () => {
    const res = await server.call("auth.login", { email: dataOf(await me(accessToken)).user.email, password: GOOD_PASSWORD }, { mode: "token" });
    const fresh = signedInOf(res).accessToken;
    server.clock.advance(900_000 + 20_000);
    expect((await me(fresh)).status).toBe(200);
    server.clock.advance(15_000);
    const expired = await me(fresh);
    expect(expired.status).toBe(401);
    expect(reasonOf(expired)).toBe("token_expired");
  });
});

describe("key rotation", () => {
  it("verifies tokens of the previous key while the new key signs, and refuses them once it is dropped", async () => {
    const before = await startServer({ keys: createSecretKeyRing([TEST_SECRET]) });
    const res = await before.call("auth.signup", { email: uniqueEmail(), password: GOOD_PASSWORD }, { mode: "token" });
    const oldToken = dataOf(res).accessToken;
    const newSecret = new TextEncoder().encode("rotated-secret-rotated-secret-rotated-secret");
    const shared = { store: before.store, clock: before.clock };

    const rotating = await startServer({ ...shared, keys: createSecretKeyRing([newSecret, TEST_SECRET]) });
    expect((await rotating.call("auth.me", undefined, { query: true, bearer: oldToken })).status).toBe(200);
    const login = await rotating.call("auth.login", { email: dataOf(res).user.email, password: GOOD_PASSWORD }, { mode: "token" });
    const newToken = signedInOf(login).accessToken;
    const kidOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).kid;
    expect(kidOf(newToken)).toBe(createSecretKeyRing([newSecret]).signing.kid);

    const rotated = await startServer({ ...shared, keys: createSecretKeyRing([newSecret]) });
    expect(reasonOf(await rotated.call("auth.me", undefined, { query: true, bearer: oldToken }))).toBe("token_invalid");
    expect((await rotated.call("auth.me", undefined, { query: true, bearer: newToken })).status).toBe(200);
  });
});
