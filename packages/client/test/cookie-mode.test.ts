import { describe, expect, it, vi } from "vitest";
import { createAuthClient, reasonOf, type AuthClient, type AuthEvent } from "../src/index.js";
import { GOOD_PASSWORD, startGatehouse, uniqueEmail, wireReasonOf } from "./support/gatehouse-server.js";
import { CookieJar, createRecordingFetch } from "./support/recording-fetch.js";
import { disposedWithTest, useGatehouse } from "./support/test-lifetime.js";

const gatehouse = useGatehouse();

/** A browser profile: one cookie jar, and a fetch that records what goes over the wire. */
function browser(jar = new CookieJar(), slowAnswers: Record<string, number> = {}) {
  const wire = createRecordingFetch(jar, slowAnswers);
  const open = (options: { now?: () => number } = {}) =>
    disposedWithTest(createAuthClient({ url: gatehouse().trpcUrl, mode: "cookie", fetch: wire.fetch, ...options }));
  return { jar, wire, open };
}

function eventsOf(client: AuthClient): AuthEvent[] {
  const events: AuthEvent[] = [];
  client.subscribe((event) => events.push(event));
  return events;
}

const tokenOf = (client: AuthClient): string => client.authHeaders().Authorization!.slice("Bearer ".length);

describe("cookie mode: sign-in and restore", () => {
  it("keeps the refresh token out of reach: only an HttpOnly cookie, requests sent with credentials", async () => {
    const profile = browser();
    const client = profile.open();
    const email = uniqueEmail();
    const result = await client.signup({ email, password: GOOD_PASSWORD });
    expect(result).toEqual({ status: "signed-in", user: expect.objectContaining({ email }) });
    expect(client.user?.email).toBe(email);
    expect(profile.jar.get("refresh_token")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const signup = profile.wire.requests.find((request) => request.procedure === "auth.signup")!;
    expect(signup.credentials).toBe("include");
    expect(signup.headers.get("x-auth-mode")).toBeNull();
    expect(signup.headers.get("content-type")).toBe("application/json");
  });

  it("lets the browser send the device cookie from signup with the next login (it is HttpOnly and scoped to auth.login)", async () => {
    const profile = browser();
    const email = uniqueEmail();
    await profile.open().signup({ email, password: GOOD_PASSWORD });
    const device = profile.jar.get("device_token");
    expect(device).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const client = profile.open();
    await client.login({ email, password: GOOD_PASSWORD });
    await client.login({ email, password: GOOD_PASSWORD });
    const logins = profile.wire.requests.filter((request) => request.procedure === "auth.login");
    for (const login of logins) expect(login.headers.get("cookie")).toContain(`device_token=${device}`);
    expect(profile.jar.get("device_token")).toBe(device);
    // Login bodies never carry it in cookie mode.
    expect(logins[1]?.body).toEqual({ email, password: GOOD_PASSWORD });
  });

  it("restores the session in a new client on the same cookies (a page reload) with exactly one refresh, reported as the initial event", async () => {
    const profile = browser();
    const email = uniqueEmail();
    await profile.open().signup({ email, password: GOOD_PASSWORD });

    profile.wire.reset();
    const reloaded = profile.open();
    const events = eventsOf(reloaded);
    expect(reloaded.status).toBe("unknown");
    const user = await reloaded.restore();
    expect(user?.email).toBe(email);
    expect(reloaded.status).toBe("signed-in");
    // A restored session is the starting state, not a new sign-in.
    expect(events).toEqual([{ type: "initial", user: expect.objectContaining({ email }) }]);
    expect(profile.wire.count("auth.refresh")).toBe(1);
    // The body-less refresh mutation passes the server's CSRF check: JSON, credentials, no foreign Origin.
    const refresh = profile.wire.requests.find((request) => request.procedure === "auth.refresh")!;
    expect(refresh).toMatchObject({ method: "POST", credentials: "include", status: 200 });
    expect(refresh.headers.get("content-type")).toBe("application/json");

    expect((await reloaded.api.auth.me.query()).user.email).toBe(email);
    expect(await reloaded.restore()).toEqual(reloaded.user);
    expect(profile.wire.count("auth.refresh")).toBe(1);
  });

  it("subscribing alone starts the restore: every listener's first event is initial, also when it subscribes later", async () => {
    const profile = browser();
    const email = uniqueEmail();
    await profile.open().signup({ email, password: GOOD_PASSWORD });
    const reloaded = profile.open();
    const events = eventsOf(reloaded);
    await vi.waitFor(() => expect(events).toEqual([{ type: "initial", user: expect.objectContaining({ email }) }]));
    const late = eventsOf(reloaded);
    await vi.waitFor(() => expect(late).toEqual([{ type: "initial", user: reloaded.user }]));
    expect(profile.wire.count("auth.refresh")).toBe(1);
  });

  it("restores by itself on the first call, once however many calls wait for it", async () => {
    const profile = browser();
    const email = uniqueEmail();
    await profile.open().signup({ email, password: GOOD_PASSWORD });
    profile.wire.reset();
    const reloaded = profile.open();
    const answers = await Promise.all(Array.from({ length: 5 }, () => reloaded.api.auth.me.query()));
    expect(answers.map((answer) => answer.user.email)).toEqual(Array(5).fill(email));
    expect(profile.wire.count("auth.refresh")).toBe(1);
  });

  it("finds no session without a cookie: an initial event with no user, not session-lost", async () => {
    const profile = browser();
    const client = profile.open();
    const events = eventsOf(client);
    expect(await client.restore()).toBeNull();
    expect(client.status).toBe("signed-out");
    expect(events).toEqual([{ type: "initial", user: null }]);
    await expect(client.api.auth.me.query()).rejects.toSatisfy((error) => reasonOf(error) === "token_invalid");
    expect(profile.wire.count("auth.refresh")).toBe(1);
  });

  it("never touches Web Storage", async () => {
    const touched: string[] = [];
    const spy = (name: string) => new Proxy({}, { get: (_target, key) => touched.push(`${name}.${String(key)}`) });
    vi.stubGlobal("localStorage", spy("localStorage"));
    vi.stubGlobal("sessionStorage", spy("sessionStorage"));
    try {
      const profile = browser();
      const client = profile.open();
      await client.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
      await client.refresh();
      await client.api.auth.me.query();
      await client.logout();
    } finally {
      vi.unstubAllGlobals();
    }
    expect(touched).toEqual([]);
  });
});

describe("cookie mode: keeping the access token fresh", () => {
  it("on token_expired from the server, refreshes once and retries the call", async () => {
    const profile = browser();
    const client = profile.open();
    await client.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    const events = eventsOf(client);
    const before = tokenOf(client);
    // Past the 15 min lifetime and the server's 30 s leeway; the client's own clock has not moved.
    gatehouse().clock.advance(15 * 60_000 + 31_000);
    profile.wire.reset();

    const { user } = await client.api.auth.me.query();
    expect(user.id).toBe(client.user?.id);
    expect(profile.wire.requests.map((request) => [request.procedure, request.status])).toEqual([
      ["auth.me", 401],
      ["auth.refresh", 200],
      ["auth.me", 200],
    ]);
    expect(tokenOf(client)).not.toBe(before);
    expect(events).toEqual([
      { type: "initial", user: client.user },
      { type: "refreshed", user: client.user },
    ]);
  });

  it("single flight: 20 calls refused for an expired token at once cause exactly one refresh, and all succeed", async () => {
    const profile = browser();
    const client = profile.open();
    await client.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    gatehouse().clock.advance(15 * 60_000 + 31_000);
    profile.wire.reset();

    const answers = await Promise.all(Array.from({ length: 20 }, () => client.api.auth.me.query()));
    expect(answers).toHaveLength(20);
    expect(profile.wire.count("auth.refresh")).toBe(1);
    const meStatuses = profile.wire.requests.filter((request) => request.procedure === "auth.me").map((request) => request.status);
    expect(meStatuses.filter((status) => status === 401)).toHaveLength(20);
    expect(meStatuses.filter((status) => status === 200)).toHaveLength(20);
  });

  it("single flight: 20 calls that find the token expired locally send one refresh first, and no doomed calls", async () => {
    const profile = browser();
    // The client shares the server's clock, so it knows the token has expired before sending anything.
    const client = profile.open({ now: gatehouse().clock.now });
    await client.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    gatehouse().clock.advance(15 * 60_000 + 31_000);
    profile.wire.reset();

    await Promise.all(Array.from({ length: 20 }, () => client.api.auth.me.query()));
    expect(profile.wire.requests[0]?.procedure).toBe("auth.refresh");
    expect(profile.wire.count("auth.refresh")).toBe(1);
    expect(profile.wire.requests.filter((request) => request.status === 401)).toEqual([]);
    expect(profile.wire.count("auth.me")).toBe(20);
  });

  it("refreshes proactively at 80 % of the token's lifetime", async () => {
    const shortLived = await startGatehouse({ accessTokenTtlSeconds: 2 });
    try {
      const wire = createRecordingFetch(new CookieJar());
      const client = disposedWithTest(createAuthClient({ url: shortLived.trpcUrl, fetch: wire.fetch }));
      await client.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
      const signedInAt = Date.now();
      const first = tokenOf(client);
      const events = eventsOf(client);

      await vi.waitFor(() => expect(wire.count("auth.refresh")).toBe(1), { timeout: 3_000, interval: 50 });
      const elapsed = Date.now() - signedInAt;
      expect(elapsed).toBeGreaterThanOrEqual(1_500);
      expect(elapsed).toBeLessThan(2_000);
      await vi.waitFor(() =>
        expect(events).toEqual([
          { type: "initial", user: expect.objectContaining({ id: client.user?.id }) },
          { type: "refreshed", user: client.user },
        ]),
      );
      expect(tokenOf(client)).not.toBe(first);
      // …and again for the new token.
      await vi.waitFor(() => expect(wire.count("auth.refresh")).toBe(2), { timeout: 3_000, interval: 50 });
    } finally {
      await shortLived.close();
    }
  });
});

describe("cookie mode: two clients on one cookie jar (two tabs without tab sync)", () => {
  it("both stay signed in when they refresh the same cookie at the same moment", async () => {
    const profile = browser();
    const first = profile.open();
    await first.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    const second = profile.open();
    await second.restore();
    const lost = [...eventsOf(first), ...eventsOf(second)];
    profile.wire.reset();

    const [a, b] = await Promise.all([first.refresh(), second.refresh()]);
    expect(a?.id).toBe(first.user?.id);
    expect(b?.id).toBe(first.user?.id);
    // Both presented the same cookie: the server's reuse grace gave the late one the same successor.
    expect(profile.wire.requests.filter((request) => request.procedure === "auth.refresh").map((request) => request.status)).toEqual([200, 200]);
    expect(lost.filter((event) => event.type === "session-lost")).toEqual([]);
    await first.api.auth.me.query();
    await second.api.auth.me.query();
    // The rotated cookie still works afterwards, for either of them.
    expect(await second.refresh()).not.toBeNull();
    expect(await first.refresh()).not.toBeNull();
  });
});

describe("cookie mode: switching accounts", () => {
  it("a login while a refresh is in flight leaves the browser with the new session's cookie", async () => {
    const alice = uniqueEmail("alice");
    const bob = uniqueEmail("bob");
    await browser().open().signup({ email: bob, password: GOOD_PASSWORD });
    // The refresh's answer, and its Set-Cookie, arrive late.
    const profile = browser(new CookieJar(), { "auth.refresh": 300 });
    const client = profile.open();
    await client.signup({ email: alice, password: GOOD_PASSWORD });

    const refreshing = client.refresh();
    await client.login({ email: bob, password: GOOD_PASSWORD });
    await refreshing;
    expect(client.user?.email).toBe(bob);
    expect((await profile.open().restore())?.email).toBe(bob);
  });
});

describe("cookie mode: logout", () => {
  it("revokes the session on the server, clears the cookie and tells subscribers", async () => {
    const profile = browser();
    const client = profile.open();
    await client.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    const accessToken = tokenOf(client);
    const events = eventsOf(client);

    const unsubscribedEvents: AuthEvent[] = [];
    client.subscribe((event) => unsubscribedEvents.push(event))();

    await client.logout();
    expect(events).toEqual([{ type: "initial", user: expect.objectContaining({ id: expect.any(String) }) }, { type: "signed-out" }]);
    expect(unsubscribedEvents).toEqual([]);
    expect(client.user).toBeNull();
    expect(client.status).toBe("signed-out");
    expect(client.authHeaders()).toEqual({});
    expect(profile.jar.get("refresh_token")).toBeUndefined();
    const me = await gatehouse().call("auth.me", undefined, { query: true, bearer: accessToken });
    expect(wireReasonOf(me)).toBe("token_revoked");

    const reloaded = profile.open();
    expect(await reloaded.restore()).toBeNull();
  });

  it("logoutAll ends every session of the user: the other device loses its session on its next call", async () => {
    const email = uniqueEmail();
    const laptop = browser().open();
    await laptop.signup({ email, password: GOOD_PASSWORD });
    const phone = browser().open();
    await phone.login({ email, password: GOOD_PASSWORD });
    const phoneEvents = eventsOf(phone);
    const laptopEvents = eventsOf(laptop);

    await laptop.logoutAll();
    expect(laptopEvents).toEqual([{ type: "initial", user: expect.objectContaining({ email }) }, { type: "signed-out" }]);
    expect(laptop.user).toBeNull();

    const error = await phone.api.auth.me.query().catch((caught: unknown) => caught);
    expect(reasonOf(error)).toBe("token_revoked");
    expect(phoneEvents).toEqual([
      { type: "initial", user: expect.objectContaining({ email }) },
      { type: "session-lost", reason: "refresh_invalid" },
    ]);
    expect(phone.user).toBeNull();
    expect(phone.status).toBe("signed-out");
  });
});
