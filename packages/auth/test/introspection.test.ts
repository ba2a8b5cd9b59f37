import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataOf, reasonOf, signUpAccount, startServer, type InputOf, type TestServer, type WireAccount } from "./harness.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const account = (role: "user" | "admin" = "user") => signUpAccount(server, role);

const createKey = (owner: WireAccount, scopes: InputOf<"apiKeys.create">["scopes"]) =>
  server.call("apiKeys.create", { name: "notes service", scopes }, { bearer: owner.accessToken });

async function introspectionKey(): Promise<{ admin: WireAccount; key: string }> {
  const admin = await account("admin");
  const created = await createKey(admin, ["tokens:introspect"]);
  expect(created.status).toBe(200);
  return { admin, key: dataOf(created).key };
}

/** As a service sends it: by POST, so the token never sits in a URL. */
const introspect = (key: string, token: string) => server.call("auth.introspect", { token }, { bearer: key });
const activeOf = async (key: string, token: string): Promise<unknown> => dataOf(await introspect(key, token));

describe("the tokens:introspect scope", () => {
  it("only an admin may create a key with it", async () => {
    const user = await account();
    const refused = await createKey(user, ["profile:read", "tokens:introspect"]);
    expect(refused.status).toBe(403);
    expect(reasonOf(refused)).toBe("forbidden");
    expect(dataOf(await server.call("apiKeys.list", undefined, { query: true, bearer: user.accessToken }))).toEqual([]);
    expect(server.logLines().some((l) => l.event === "permission_denied" && l.userId === user.id && l.procedure === "apiKeys.create")).toBe(true);

    const admin = await account("admin");
    const created = await createKey(admin, ["tokens:introspect"]);
    expect(dataOf(created)).toMatchObject({ scopes: ["tokens:introspect"], key: expect.stringMatching(/^gth_/) });
  });

  it("auth.introspect takes that key only: not a signed-in user, not a key without the scope", async () => {
    const { admin, key } = await introspectionKey();
    const other = dataOf(await createKey(admin, ["profile:read"])).key as string;
    const asUser = await introspect(admin.accessToken, admin.accessToken);
    expect([asUser.status, reasonOf(asUser)]).toEqual([403, "forbidden"]);
    const wrongScope = await introspect(other, admin.accessToken);
    expect([wrongScope.status, reasonOf(wrongScope)]).toEqual([403, "forbidden"]);
    expect((await introspect(key, admin.accessToken)).status).toBe(200);
  });

  it("a key stops working for introspection when its owner is no longer an admin", async () => {
    const { admin, key } = await introspectionKey();
    const target = await account();
    expect((await introspect(key, target.accessToken)).status).toBe(200);
    await server.services.users.update(admin.id, (u) => ({ ...u, role: "user" }));
    const refused = await introspect(key, target.accessToken);
    expect([refused.status, reasonOf(refused)]).toEqual([403, "forbidden"]);
  });
});

describe("auth.introspect", () => {
  it("describes a live token: subject, session, live role, expiry and authentication time; by GET as by POST", async () => {
    const { key } = await introspectionKey();
    const alice = await account();
    const answer = await activeOf(key, alice.accessToken);
    const now = Math.floor(server.clock.now() / 1000);
    expect(answer).toEqual({ active: true, sub: alice.id, sid: expect.any(String), role: "user", exp: now + 15 * 60, authTime: now });
    const byGet = await server.call("auth.introspect", { token: alice.accessToken }, { query: true, bearer: key });
    expect(dataOf(byGet)).toEqual(answer);
  });

  it("is inactive once the session is logged out, and says nothing more", async () => {
    const { key } = await introspectionKey();
    const alice = await account();
    await server.call("auth.logout", undefined, { bearer: alice.accessToken });
    expect(await activeOf(key, alice.accessToken)).toEqual({ active: false });
  });

  it("is inactive once the account is locked, and shows a demotion at once", async () => {
    const { admin, key } = await introspectionKey();
    const [victim, promoted] = await Promise.all([account(), account("admin")]);
    expect(await activeOf(key, promoted.accessToken)).toMatchObject({ active: true, role: "admin" });
    await server.call("admin.setRole", { userId: promoted.id, role: "user" }, { bearer: admin.accessToken });
    expect(await activeOf(key, promoted.accessToken)).toMatchObject({ active: true, role: "user" });

    await server.call("admin.lockUser", { userId: victim.id, reason: "takeover" }, { bearer: admin.accessToken });
    expect(await activeOf(key, victim.accessToken)).toEqual({ active: false });
  });

  it("is inactive for an expired, forged or unknown token, or an API key", async () => {
    const { key } = await introspectionKey();
    const alice = await account();
    const [header, payload] = alice.accessToken.split(".");
    for (const token of ["not-a-jwt", `${header}.${payload}.forged-signature`, key]) {
      expect(await activeOf(key, token), token.slice(0, 12)).toEqual({ active: false });
    }
    // The server's own 30 s clock skew, then no more.
    server.clock.advance((15 * 60 + 20) * 1000);
    expect(await activeOf(key, alice.accessToken)).toMatchObject({ active: true });
    server.clock.advance(20 * 1000);
    expect(await activeOf(key, alice.accessToken)).toEqual({ active: false });
  });

  it("refuses input that is not a token", async () => {
    const { key } = await introspectionKey();
    for (const input of [{}, { token: "" }, { token: "x", extra: 1 }]) {
      expect(reasonOf(await server.send("auth.introspect", input, { bearer: key })), JSON.stringify(input)).toBe("validation_failed");
    }
  });
});
