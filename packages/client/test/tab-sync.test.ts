import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createAuthClient, type AuthClient, type AuthEvent } from "../src/index.js";
import { GOOD_PASSWORD, startGatehouse, uniqueEmail, type GatehouseUnderTest } from "./support/gatehouse-server.js";
import { CookieJar, createRecordingFetch } from "./support/recording-fetch.js";

// Node has BroadcastChannel (delivering between instances in one process) but
// no Web Locks; clients here opt in to tab sync, which in Node is otherwise off.
let server: GatehouseUnderTest;
const clients: AuthClient[] = [];
let channel = 0;

beforeAll(async () => {
  server = await startGatehouse();
});
afterAll(() => server.close());
afterEach(() => {
  for (const client of clients.splice(0)) client.dispose();
  vi.unstubAllGlobals();
});

/**
 * Two tabs of one browser: one cookie jar, one channel, each tab with its own
 * request log. Each reads the session hint cookie from the jar, as a page reads
 * it from document.cookie; `open` opens a further tab later.
 */
function twoTabs() {
  const jar = new CookieJar();
  const tabSync = { channelName: `gatehouse-test-${process.pid}-${channel++}` };
  const open = () => {
    const wire = createRecordingFetch(jar);
    const client = createAuthClient({ url: server.trpcUrl, fetch: wire.fetch, tabSync, sessionHint: () => jar.get("gh_session") === "1" });
    clients.push(client);
    const events: AuthEvent[] = [];
    client.subscribe((event) => events.push(event));
    return { client, wire, events };
  };
  return { jar, a: open(), b: open(), open };
}

/** An in-process stand-in for navigator.locks: exclusive, first come first served, and it tells whether tasks ever overlapped. */
function fakeWebLocks() {
  let tail: Promise<unknown> = Promise.resolve();
  let active = 0;
  const stats = { maxActive: 0, names: [] as string[] };
  const locks = {
    request(name: string, _options: unknown, callback: () => Promise<unknown>) {
      stats.names.push(name);
      const run = tail.then(async () => {
        stats.maxActive = Math.max(stats.maxActive, ++active);
        try {
          return await callback();
        } finally {
          active--;
        }
      });
      tail = run.catch(() => undefined);
      return run;
    },
  };
  return { locks, stats };
}

describe("tab sync", () => {
  it("a login in one tab signs the other in, without a request of its own", async () => {
    const { a, b } = twoTabs();
    const email = uniqueEmail();
    await a.client.signup({ email, password: GOOD_PASSWORD });
    await vi.waitFor(() => expect(b.client.user?.email).toBe(email));
    expect(b.events).toEqual([
      { type: "initial", user: null },
      { type: "signed-in", user: expect.objectContaining({ email }) },
    ]);
    expect(b.client.authHeaders()).toEqual(a.client.authHeaders());
    expect((await b.client.api.auth.me.query()).user.email).toBe(email);
    expect(b.wire.count("auth.refresh")).toBe(0);
  });

  it("a refreshed tab shares its new access token, so the other does not refresh", async () => {
    const { a, b } = twoTabs();
    await a.client.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    await vi.waitFor(() => expect(b.client.status).toBe("signed-in"));
    const before = b.client.authHeaders().Authorization;

    await a.client.refresh();
    await vi.waitFor(() => expect(b.client.authHeaders().Authorization).toBe(a.client.authHeaders().Authorization));
    expect(b.client.authHeaders().Authorization).not.toBe(before);
    expect(b.events.at(-1)).toEqual({ type: "refreshed", user: a.client.user });
    expect(b.wire.requests).toEqual([]);
  });

  it("a tab opened later restores the same session without a second signed-in in the first tab", async () => {
    const { a, open } = twoTabs();
    await a.client.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    const c = open();
    await vi.waitFor(() => expect(c.client.status).toBe("signed-in"));
    expect(c.wire.count("auth.refresh")).toBe(1);
    expect(c.events).toEqual([{ type: "initial", user: a.client.user }]);
    // The first tab adopts the newer token the restore brought, as it would a refresh.
    await vi.waitFor(() => expect(a.client.authHeaders()).toEqual(c.client.authHeaders()));
    expect(a.events).toEqual([
      { type: "initial", user: null },
      { type: "signed-in", user: a.client.user },
      { type: "refreshed", user: a.client.user },
    ]);
  });

  it("a changed user record reaches the other tabs as user-updated, without a request", async () => {
    const { a, b } = twoTabs();
    await a.client.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    await vi.waitFor(() => expect(b.client.status).toBe("signed-in"));
    await a.client.users.update({ name: "Renamed" });
    await vi.waitFor(() => expect(b.client.user?.name).toBe("Renamed"));
    expect(b.events.at(-1)).toEqual({ type: "user-updated", user: expect.objectContaining({ name: "Renamed" }) });
    expect(b.wire.requests).toEqual([]);
  });

  it("a logout in one tab signs the other out", async () => {
    const { a, b } = twoTabs();
    await a.client.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    await vi.waitFor(() => expect(b.client.status).toBe("signed-in"));
    await a.client.logout();
    await vi.waitFor(() => expect(b.client.status).toBe("signed-out"));
    expect(b.client.user).toBeNull();
    expect(b.events.at(-1)).toEqual({ type: "signed-out" });
  });

  it("with Web Locks, two tabs refreshing at once take turns and never present the same refresh cookie", async () => {
    const { locks, stats } = fakeWebLocks();
    vi.stubGlobal("navigator", { locks });
    const { a, b } = twoTabs();
    await a.client.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    await vi.waitFor(() => expect(b.client.status).toBe("signed-in"));

    // Only the two refreshes below count (the tabs' start-up restores took the lock too).
    stats.names.splice(0);
    await Promise.all([a.client.refresh(), b.client.refresh()]);
    expect(stats.names).toEqual(["gatehouse-refresh", "gatehouse-refresh"]);
    expect(stats.maxActive).toBe(1);
    const presented = [...a.wire.requests, ...b.wire.requests].filter((r) => r.procedure === "auth.refresh").map((r) => r.headers.get("cookie"));
    // The second one either adopted the first's token or presented the rotated cookie: never the same one twice.
    expect(new Set(presented).size).toBe(presented.length);
    expect(a.client.status).toBe("signed-in");
    expect(b.client.status).toBe("signed-in");
  });

  it("stays off by default outside a browser page", async () => {
    const jar = new CookieJar();
    const a = createAuthClient({ url: server.trpcUrl, fetch: createRecordingFetch(jar).fetch });
    const b = createAuthClient({ url: server.trpcUrl, fetch: createRecordingFetch(jar).fetch });
    clients.push(a, b);
    await a.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(b.status).toBe("unknown");
  });
});
