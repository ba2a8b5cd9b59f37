import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAuthClient, GatehouseError, memoryStorage, reasonOf, type AuthClient, type AuthEvent, type TokenSlot, type TokenStorage } from "../src/index.js";
import { dataOf, GOOD_PASSWORD, startGatehouse, uniqueEmail, wireReasonOf, type GatehouseUnderTest } from "./support/gatehouse-server.js";
import { createRecordingFetch } from "./support/recording-fetch.js";

let server: GatehouseUnderTest;
const clients: AuthClient[] = [];

beforeAll(async () => {
  // A low lockout threshold, to see the device credential at work.
  server = await startGatehouse({ limits: { "login.lockout": { max: 3, windowSeconds: 900 } } });
});
afterAll(() => server.close());
afterEach(() => {
  for (const client of clients.splice(0)) client.dispose();
});

/** An async store standing in for the Keychain / Keystore, whose contents a test can read. */
function secureStore() {
  const slots = new Map<TokenSlot, string>();
  const storage: TokenStorage = {
    get: async (slot) => slots.get(slot) ?? null,
    set: async (slot, value) => void slots.set(slot, value),
    delete: async (slot) => void slots.delete(slot),
  };
  return { storage, slots };
}

function app(storage: TokenStorage = memoryStorage()) {
  const wire = createRecordingFetch();
  const client = createAuthClient({ url: server.trpcUrl, mode: "token", storage, fetch: wire.fetch });
  clients.push(client);
  return { client, wire };
}

function eventsOf(client: AuthClient): AuthEvent[] {
  const events: AuthEvent[] = [];
  client.subscribe((event) => events.push(event));
  return events;
}

async function registered(): Promise<string> {
  const email = uniqueEmail();
  const signup = await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" });
  expect(signup.status).toBe(200);
  return email;
}

describe("token mode: storage", () => {
  it("sends X-Auth-Mode: token, no credentials, and keeps the refresh and device tokens in storage, rotating the refresh token", async () => {
    const email = await registered();
    const { storage, slots } = secureStore();
    const { client, wire } = app(storage);
    expect(await client.login({ email, password: GOOD_PASSWORD })).toEqual({ status: "signed-in", user: expect.objectContaining({ email }) });
    const login = wire.requests.find((request) => request.procedure === "auth.login")!;
    expect(login.headers.get("x-auth-mode")).toBe("token");
    expect(login.credentials).toBe("omit");
    const firstRefreshToken = slots.get("refreshToken");
    expect(firstRefreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(slots.get("deviceToken")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The access token is not for storage.
    expect([...slots.values()]).not.toContain(client.authHeaders().Authorization!.slice("Bearer ".length));

    await client.refresh();
    const refresh = wire.requests.find((request) => request.procedure === "auth.refresh")!;
    expect(refresh.body).toEqual({ refreshToken: firstRefreshToken });
    expect(slots.get("refreshToken")).not.toBe(firstRefreshToken);
  });

  it("restores from storage in a new client (an app restart)", async () => {
    const email = await registered();
    const { storage, slots } = secureStore();
    await app(storage).client.login({ email, password: GOOD_PASSWORD });
    const stored = slots.get("refreshToken");

    const { client, wire } = app(storage);
    const events = eventsOf(client);
    expect((await client.restore())?.email).toBe(email);
    expect(events).toEqual([{ type: "initial", user: expect.objectContaining({ email }) }]);
    expect(wire.requests.map((request) => [request.procedure, request.body])).toEqual([["auth.refresh", { refreshToken: stored }]]);
    expect((await client.api.auth.me.query()).user.email).toBe(email);
  });

  it("with empty storage, restore answers signed-out without a request", async () => {
    const { client, wire } = app();
    const events = eventsOf(client);
    expect(await client.restore()).toBeNull();
    expect(events).toEqual([{ type: "initial", user: null }]);
    expect(wire.requests).toEqual([]);
  });

  it("sends the stored device credential with the next login, which keeps this device out of an attacker's lockout", async () => {
    const email = await registered();
    const { storage, slots } = secureStore();
    await app(storage).client.login({ email, password: GOOD_PASSWORD });
    const deviceToken = slots.get("deviceToken");

    // Someone else guesses until the email is locked.
    for (let i = 0; i < 3; i++) expect((await server.call("auth.login", { email, password: "wrong password!" }, { mode: "token" })).status).toBe(401);
    const stranger = app().client;
    const locked = await stranger.login({ email, password: GOOD_PASSWORD }).catch((error: unknown) => error);
    expect(locked).toBeInstanceOf(GatehouseError);
    expect(locked).toMatchObject({ reason: "account_locked", status: 429 });
    expect((locked as GatehouseError).retryAfterSeconds).toBeGreaterThan(0);
    expect(reasonOf(locked)).toBe("account_locked");

    const { client, wire } = app(storage);
    expect((await client.login({ email, password: GOOD_PASSWORD })).status).toBe("signed-in");
    expect(wire.requests.find((request) => request.procedure === "auth.login")?.body).toEqual({ email, password: GOOD_PASSWORD, deviceToken });
  });
});

describe("token mode: ending sessions", () => {
  it("logout revokes the session, deletes the refresh token from storage and keeps the device credential", async () => {
    const email = await registered();
    const { storage, slots } = secureStore();
    const { client } = app(storage);
    await client.login({ email, password: GOOD_PASSWORD });
    const accessToken = client.authHeaders().Authorization!.slice("Bearer ".length);
    const refreshToken = slots.get("refreshToken");
    const events = eventsOf(client);

    await client.logout();
    expect(events).toEqual([{ type: "initial", user: expect.objectContaining({ email }) }, { type: "signed-out" }]);
    expect(slots.has("refreshToken")).toBe(false);
    expect(slots.has("deviceToken")).toBe(true);
    expect(wireReasonOf(await server.call("auth.me", undefined, { query: true, bearer: accessToken }))).toBe("token_revoked");
    expect(wireReasonOf(await server.call("auth.refresh", { refreshToken }, { mode: "token" }))).toBe("refresh_invalid");
  });

  it("logoutAll revokes every session of the user and clears storage", async () => {
    const email = await registered();
    const { storage, slots } = secureStore();
    const { client } = app(storage);
    await client.login({ email, password: GOOD_PASSWORD });
    const other = app().client;
    await other.login({ email, password: GOOD_PASSWORD });
    const otherToken = other.authHeaders().Authorization!.slice("Bearer ".length);

    await client.logoutAll();
    expect(client.user).toBeNull();
    expect(slots.has("refreshToken")).toBe(false);
    expect(wireReasonOf(await server.call("auth.me", undefined, { query: true, bearer: otherToken }))).toBe("token_revoked");
  });

  it("reports session-lost and clears storage when its refresh token turns out to have been reused", async () => {
    const email = await registered();
    const { storage, slots } = secureStore();
    const { client } = app(storage);
    await client.login({ email, password: GOOD_PASSWORD });
    const events = eventsOf(client);
    // A thief uses the refresh token first; the app presents it after the 10 s grace.
    const stolen = await server.call("auth.refresh", { refreshToken: slots.get("refreshToken") }, { mode: "token" });
    expect(stolen.status).toBe(200);
    server.clock.advance(11_000);

    expect(await client.refresh()).toBeNull();
    expect(events).toEqual([
      { type: "initial", user: expect.objectContaining({ email }) },
      { type: "session-lost", reason: "refresh_reused" },
    ]);
    expect(client.status).toBe("signed-out");
    expect(slots.has("refreshToken")).toBe(false);
    // The whole family died, the thief's successor included.
    expect((await server.call("auth.refresh", { refreshToken: dataOf(stolen).refreshToken }, { mode: "token" })).status).toBe(401);
  });

  it("reports session-lost on restore when the stored refresh token was revoked meanwhile", async () => {
    const email = await registered();
    const { storage, slots } = secureStore();
    await app(storage).client.login({ email, password: GOOD_PASSWORD });
    await server.call("auth.logout", { refreshToken: slots.get("refreshToken") }, { mode: "token" });

    const { client } = app(storage);
    const events = eventsOf(client);
    expect(await client.restore()).toBeNull();
    // No session to start with, and why: the stored one had ended.
    expect(events).toEqual([{ type: "initial", user: null, reason: "refresh_invalid" }]);
    expect(slots.has("refreshToken")).toBe(false);
  });
});

describe("errors", () => {
  it("rejects SDK calls with a GatehouseError carrying the reason, status and field issues", async () => {
    const { client } = app();
    const wrong = await client.login({ email: uniqueEmail(), password: "not the password" }).catch((error: unknown) => error);
    expect(wrong).toMatchObject({ name: "GatehouseError", reason: "invalid_credentials", status: 401 });
    const invalid = await client.signup({ email: "not an email", password: GOOD_PASSWORD }).catch((error: unknown) => error);
    expect(invalid).toMatchObject({ reason: "validation_failed", status: 400, issues: [expect.objectContaining({ path: "email" })] });
    const unreachable = createAuthClient({ url: "http://127.0.0.1:1/trpc", mode: "token" });
    const offline = await unreachable.login({ email: uniqueEmail(), password: GOOD_PASSWORD }).catch((error: unknown) => error);
    expect(offline).toBeInstanceOf(GatehouseError);
    expect(offline).toMatchObject({ reason: undefined, status: undefined });
  });

  it("reads Retry-After for a rate-limited answer", async () => {
    const strict = await startGatehouse({ limits: { "login.email": { max: 1, windowSeconds: 60 } } });
    try {
      const client = createAuthClient({ url: strict.trpcUrl, mode: "token" });
      const email = uniqueEmail();
      await client.login({ email, password: GOOD_PASSWORD }).catch(() => undefined);
      const limited = await client.login({ email, password: GOOD_PASSWORD }).catch((error: unknown) => error);
      expect(limited).toMatchObject({ reason: "rate_limited", status: 429 });
      expect((limited as GatehouseError).retryAfterSeconds).toBeGreaterThan(0);
      // A sliding window may ask for up to two windows' wait.
      expect((limited as GatehouseError).retryAfterSeconds).toBeLessThanOrEqual(120);
    } finally {
      await strict.close();
    }
  });

  it("refuses storage in cookie mode, where there is nothing a script should store", () => {
    expect(() => createAuthClient({ url: server.trpcUrl, mode: "cookie", storage: memoryStorage() })).toThrow(TypeError);
  });
});
