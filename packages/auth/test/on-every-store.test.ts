import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createMemoryBackend, createStore, openStore } from "@gatehouse/store";
import type { AuthError } from "../src/index.js";
import { createAttemptCounter } from "../src/rate-limit/attempts.js";
import { createFakeClock } from "@gatehouse/store/testing";
import { dataOf, GOOD_PASSWORD, reasonOf, signedInOf, startServer, uniqueEmail } from "./harness.js";
import { sqliteUrl, STORES } from "./stores.js";
import { closeWhenTestEnds } from "./support/cleanup.js";

describe.each(STORES)("token lifecycle on the %s store", (_name, options, available) => {
  it.skipIf(!available)("signs up once under a race, rotates under a race, detects reuse and revokes at once", async () => {
    const server = await startServer(await options());
    const email = uniqueEmail();
    const signups = await Promise.all(Array.from({ length: 20 }, () => server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" })));
    expect(signups.filter((r) => r.status === 200)).toHaveLength(1);

    const login = signedInOf(await server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    const refreshes = await Promise.all(Array.from({ length: 10 }, () => server.call("auth.refresh", { refreshToken: login.refreshToken }, { mode: "token" })));
    expect(refreshes.every((r) => r.status === 200)).toBe(true);
    expect(new Set(refreshes.map((r) => dataOf(r).refreshToken)).size).toBe(1);
    const successor = dataOf(refreshes[0]!);

    server.clock.advance(11_000);
    expect(reasonOf(await server.call("auth.refresh", { refreshToken: login.refreshToken }, { mode: "token" }))).toBe("refresh_reused");
    expect(reasonOf(await server.call("auth.me", undefined, { query: true, bearer: successor.accessToken }))).toBe("token_revoked");

    const again = signedInOf(await server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    expect((await server.call("auth.me", undefined, { query: true, bearer: again.accessToken })).status).toBe(200);
    await server.call("auth.logout", undefined, { bearer: again.accessToken });
    expect(reasonOf(await server.call("auth.me", undefined, { query: true, bearer: again.accessToken }))).toBe("token_revoked");
  });
});

describe.each(STORES)("credential attempts on the %s store", (_name, options, available) => {
  it.skipIf(!available)("of 40 guesses counted at once, 10 are checked, exactly one failure locks, and the lock holds", async () => {
    const { clock = createFakeClock(), store: shared, storeUrl } = await options();
    const store = shared ?? (storeUrl ? await openStore(storeUrl, { clock: clock.now }) : createStore(createMemoryBackend({ clock: clock.now })));
    if (!shared) closeWhenTestEnds(() => store.close());
    const limits = { "login.lockout": { max: 10, windowSeconds: 900 }, "mfa.attempts": { max: 5, windowSeconds: 900 } };
    // Two counters on one store: two instances of the server.
    const instances = [createAttemptCounter(store, clock.now, limits), createAttemptCounter(store, clock.now, limits)];
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        try {
          const reservation = await instances[i % 2]!.reserve("login.lockout", ["email:victim@example.com"]);
          await sleep(20); // the password hash
          return { checked: true, locked: (await reservation.failed()).length };
        } catch (error) {
          return { checked: false, reason: (error as AuthError).reason };
        }
      }),
    );
    expect(outcomes.filter((o) => o.checked)).toHaveLength(10);
    expect(outcomes.reduce((sum, o) => sum + (o.locked ?? 0), 0)).toBe(1);
    expect(outcomes.filter((o) => o.reason === "account_locked")).toHaveLength(30);
    clock.advance(899_000);
    await expect(instances[0]!.reserve("login.lockout", ["email:victim@example.com"])).rejects.toMatchObject({
      reason: "account_locked",
      retryAfterSeconds: 1,
    });
    clock.advance(2_000);
    const after = await instances[1]!.reserve("login.lockout", ["email:victim@example.com"]);
    await after.succeeded();
  });
});

describe("sqlite restart", () => {
  it("keeps accounts and sessions across a restart of the server", async () => {
    const storeUrl = sqliteUrl();
    const clock = createFakeClock();
    const first = await startServer({ storeUrl, clock });
    const email = uniqueEmail();
    const signup = dataOf(await first.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    await first.close();

    const second = await startServer({ storeUrl, clock });
    expect((await second.call("auth.me", undefined, { query: true, bearer: signup.accessToken })).status).toBe(200);
    expect((await second.call("auth.refresh", { refreshToken: signup.refreshToken }, { mode: "token" })).status).toBe(200);
    expect((await second.call("auth.login", { email, password: GOOD_PASSWORD })).status).toBe(200);
  });
});
