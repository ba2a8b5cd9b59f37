import { describe, expect, it } from "vitest";
import { createFakeClock, GOOD_PASSWORD, reasonOf, startServer, uniqueEmail } from "./harness.js";
import { sqliteUrl, STORES } from "./stores.js";

describe.each(STORES)("token lifecycle on the %s store", (_name, options, available) => {
  it.skipIf(!available)("signs up once under a race, rotates under a race, detects reuse and revokes at once", async () => {
    const server = await startServer(await options());
    const email = uniqueEmail();
    const signups = await Promise.all(Array.from({ length: 20 }, () => server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" })));
    expect(signups.filter((r) => r.status === 200)).toHaveLength(1);

    const login = (await server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" })).body.result.data;
    const refreshes = await Promise.all(Array.from({ length: 10 }, () => server.call("auth.refresh", { refreshToken: login.refreshToken }, { mode: "token" })));
    expect(refreshes.every((r) => r.status === 200)).toBe(true);
    expect(new Set(refreshes.map((r) => r.body.result.data.refreshToken)).size).toBe(1);
    const successor = refreshes[0]!.body.result.data;

    server.clock.advance(11_000);
    expect(reasonOf(await server.call("auth.refresh", { refreshToken: login.refreshToken }, { mode: "token" }))).toBe("refresh_reused");
    expect(reasonOf(await server.call("auth.me", undefined, { query: true, bearer: successor.accessToken }))).toBe("token_revoked");

    const again = (await server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" })).body.result.data;
    expect((await server.call("auth.me", undefined, { query: true, bearer: again.accessToken })).status).toBe(200);
    await server.call("auth.logout", undefined, { bearer: again.accessToken });
    expect(reasonOf(await server.call("auth.me", undefined, { query: true, bearer: again.accessToken }))).toBe("token_revoked");
    await server.close();
    if (_name === "redis") await server.store.close();
  });
});

describe("sqlite restart", () => {
  it("keeps accounts and sessions across a restart of the server", async () => {
    const storeUrl = sqliteUrl();
    const clock = createFakeClock();
    const first = await startServer({ storeUrl, clock });
    const email = uniqueEmail();
    const signup = (await first.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" })).body.result.data;
    await first.close();

    const second = await startServer({ storeUrl, clock });
    expect((await second.call("auth.me", undefined, { query: true, bearer: signup.accessToken })).status).toBe(200);
    expect((await second.call("auth.refresh", { refreshToken: signup.refreshToken }, { mode: "token" })).status).toBe(200);
    expect((await second.call("auth.login", { email, password: GOOD_PASSWORD })).status).toBe(200);
    await second.close();
  });
});
