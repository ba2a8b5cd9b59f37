import { describe, expect, it, onTestFinished } from "vitest";
import { appRouter } from "../src/index.js";
import { REFRESH_COOKIE } from "../src/cookies.js";
import { createCallContext } from "../src/testing.js";
import { GOOD_PASSWORD, startServer, uniqueEmail } from "./harness.js";

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
});
