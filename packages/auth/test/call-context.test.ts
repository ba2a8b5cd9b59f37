import { describe, expect, it, onTestFinished } from "vitest";
import { appRouter } from "../src/index.js";
import { REFRESH_COOKIE } from "../src/cookies.js";
import { createCallContext } from "../src/testing.js";
import { GOOD_PASSWORD, startServer, uniqueEmail } from "./harness.js";
import { refusalOf, startGatehouse, tokensOf } from "./support/gatehouse.js";

const meta = { ip: "192.0.2.7", userAgent: "vitest", requestId: "req-in-process" };

describe("an in-process call", () => {
  it("runs a procedure through its middleware without node:http, keeping the cookies and headers it sets", async () => {
    const server = await startServer();
    onTestFinished(() => server.close());
    const signup = createCallContext(server.services, { meta });
    const signedUp = await appRouter.createCaller(signup).auth.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    expect(signup.http.cookies.some((cookie) => cookie.startsWith(`${REFRESH_COOKIE}=`))).toBe(true);
    // Counted against its rate limit like a call over HTTP.
    expect(signup.http.headers.get("RateLimit-Policy")).toContain('"signup.ip"');

    const me = createCallContext(server.services, { meta, bearerToken: signedUp.accessToken });
    expect((await appRouter.createCaller(me).auth.me()).user.id).toBe(signedUp.user.id);
  });

  it("answers each call of a reused context from that call's own lookups: a device credential ended meanwhile exempts nothing", async () => {
    const gatehouse = await startGatehouse();
    const { email, password, accessToken } = await gatehouse.signUp();
    const { deviceToken } = tokensOf(await gatehouse.api.auth.login({ email, password }));
    // One context for several calls, as `createCaller(ctx)` with a fixed object makes.
    const reused = appRouter.createCaller(createCallContext(gatehouse.services, { meta, authMode: "token" }));
    expect(await refusalOf(reused.auth.login({ email, password: "wrong password", deviceToken }))).toBe("invalid_credentials");
    // Every session and device credential ends; then the address is locked by guesses.
    await gatehouse.as(accessToken).auth.logoutAll();
    for (let i = 0; i < 10; i += 1) await refusalOf(gatehouse.api.auth.login({ email, password: `guess ${i}` }));
    expect(await refusalOf(reused.auth.login({ email, password, deviceToken }))).toBe("account_locked");
  });
});
