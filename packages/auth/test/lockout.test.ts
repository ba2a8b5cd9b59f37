import { describe, expect, it } from "vitest";
import { GOOD_PASSWORD, reasonOf, startServer, uniqueEmail, type TestServer } from "./harness.js";

const fail = (server: TestServer, email: string, options = {}) => server.call("auth.login", { email, password: "wrong password" }, options);

describe("lockout", () => {
  it("locks an email after 10 consecutive failures, even against the right password, then unlocks after 15 min", async () => {
    const server = await startServer();
    const email = uniqueEmail();
    await server.call("auth.signup", { email, password: GOOD_PASSWORD });
    for (let i = 0; i < 10; i += 1) expect(reasonOf(await fail(server, email))).toBe("invalid_credentials");
    const locked = await server.call("auth.login", { email, password: GOOD_PASSWORD });
    expect(locked.status).toBe(429);
    expect(reasonOf(locked)).toBe("account_locked");
    expect(Number(locked.headers.get("retry-after"))).toBe(900);
    expect(server.logLines().filter((l) => l.event === "login_locked")).toHaveLength(1);
    server.clock.advance(15 * 60_000 + 1_000);
    expect((await server.call("auth.login", { email, password: GOOD_PASSWORD })).status).toBe(200);
    await server.close();
  });

  it("locks an email with no account exactly the same way", async () => {
    const server = await startServer();
    const email = uniqueEmail("ghost");
    for (let i = 0; i < 10; i += 1) await fail(server, email);
    const locked = await fail(server, email);
    expect(reasonOf(locked)).toBe("account_locked");
    expect(locked.headers.get("retry-after")).toBe("900");
    await server.close();
  });

  it("a success clears the count of consecutive failures", async () => {
    const server = await startServer();
    const email = uniqueEmail();
    await server.call("auth.signup", { email, password: GOOD_PASSWORD });
    for (let i = 0; i < 9; i += 1) await fail(server, email);
    expect((await server.call("auth.login", { email, password: GOOD_PASSWORD })).status).toBe(200);
    for (let i = 0; i < 9; i += 1) await fail(server, email);
    expect((await server.call("auth.login", { email, password: GOOD_PASSWORD })).status).toBe(200);
    await server.close();
  });

  it("does not lock out the owner's known device (token mode): its failures count against it alone", async () => {
    const server = await startServer();
    const email = uniqueEmail();
    await server.call("auth.signup", { email, password: GOOD_PASSWORD });
    const first = await server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" });
    const deviceToken = first.body.result.data.deviceToken as string;
    expect(deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (let i = 0; i < 12; i += 1) await fail(server, email);
    expect(reasonOf(await server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" }))).toBe("account_locked");
    const owner = await server.call("auth.login", { email, password: GOOD_PASSWORD, deviceToken }, { mode: "token" });
    expect(owner.status).toBe(200);
    expect(owner.body.result.data.deviceToken).toBe(deviceToken);
    // A stolen device credential only locks itself.
    for (let i = 0; i < 10; i += 1) await server.call("auth.login", { email, password: "wrong password", deviceToken }, { mode: "token" });
    expect(reasonOf(await server.call("auth.login", { email, password: GOOD_PASSWORD, deviceToken }, { mode: "token" }))).toBe("account_locked");
    // …and a device credential of another account exempts nothing.
    const other = uniqueEmail();
    await server.call("auth.signup", { email: other, password: GOOD_PASSWORD });
    const otherDevice = (await server.call("auth.login", { email: other, password: GOOD_PASSWORD }, { mode: "token" })).body.result.data.deviceToken;
    expect(reasonOf(await server.call("auth.login", { email, password: GOOD_PASSWORD, deviceToken: otherDevice }, { mode: "token" }))).toBe("account_locked");
    await server.close();
  });

  it("cookie mode: the device cookie is HttpOnly, scoped to login, and exempts its browser", async () => {
    const server = await startServer();
    const email = uniqueEmail();
    await server.call("auth.signup", { email, password: GOOD_PASSWORD });
    const login = await server.call("auth.login", { email, password: GOOD_PASSWORD });
    const device = login.headers.getSetCookie().find((c) => c.startsWith("device_token="))!;
    expect(device).toMatch(/^device_token=[A-Za-z0-9_-]{43}; Path=\/trpc\/auth\.login; Max-Age=31536000; HttpOnly; Secure; SameSite=Strict$/);
    expect(login.body.result.data.deviceToken).toBeUndefined();
    for (let i = 0; i < 10; i += 1) await fail(server, email);
    const owner = await server.call("auth.login", { email, password: GOOD_PASSWORD }, { cookie: device.split(";")[0]! });
    expect(owner.status).toBe(200);
    await server.close();
  });

  it("a known device is also counted on its own for login.email, so a flood on the email does not stop it", async () => {
    const server = await startServer({ limits: { "login.email": { max: 5, windowSeconds: 60 } } });
    const email = uniqueEmail();
    await server.call("auth.signup", { email, password: GOOD_PASSWORD });
    const deviceToken = (await server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" })).body.result.data.deviceToken;
    for (let i = 0; i < 6; i += 1) await fail(server, email);
    expect(reasonOf(await fail(server, email))).toBe("rate_limited");
    expect((await server.call("auth.login", { email, password: GOOD_PASSWORD, deviceToken }, { mode: "token" })).status).toBe(200);
    await server.close();
  });
});

describe("consecutive failures", () => {
  it("a slow trickle of guesses still locks: each failure restarts the window", async () => {
    const server = await startServer();
    const email = uniqueEmail();
    for (let i = 0; i < 10; i += 1) {
      await fail(server, email);
      server.clock.advance(10 * 60_000);
    }
    expect(reasonOf(await fail(server, email))).toBe("account_locked");
    await server.close();
  });
});
