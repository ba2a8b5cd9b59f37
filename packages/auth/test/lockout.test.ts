import { describe, expect, it } from "vitest";
import { AuthError } from "../src/index.js";
import { GOOD_PASSWORD, reasonOf, signedInOf, startServer, uniqueEmail } from "./harness.js";
import { errorOf, refusalOf, startGatehouse, tokensOf, type Gatehouse } from "./support/gatehouse.js";

/** A wrong-password login: the reason it was refused with. */
const fail = (gatehouse: Gatehouse, email: string) => refusalOf(gatehouse.api.auth.login({ email, password: "wrong password" }));

describe("lockout", () => {
  it("locks an email after 10 consecutive failures, even against the right password, then unlocks after 15 min", async () => {
    const gatehouse = await startGatehouse();
    const { email, password } = await gatehouse.signUp();
    for (let i = 0; i < 10; i += 1) expect(await fail(gatehouse, email)).toBe("invalid_credentials");
    const locked = await errorOf(gatehouse.api.auth.login({ email, password }));
    expect(locked).toBeInstanceOf(AuthError);
    expect((locked as AuthError).reason).toBe("account_locked");
    expect((locked as AuthError).retryAfterSeconds).toBe(900);
    expect(gatehouse.logLines().filter((l) => l.event === "login_locked")).toHaveLength(1);
    gatehouse.clock.advance(15 * 60_000 + 1_000);
    await gatehouse.api.auth.login({ email, password });
  });

  it("locks an email with no account exactly the same way", async () => {
    const gatehouse = await startGatehouse();
    const email = uniqueEmail("ghost");
    for (let i = 0; i < 10; i += 1) await fail(gatehouse, email);
    const locked = (await errorOf(gatehouse.api.auth.login({ email, password: "wrong password" }))) as AuthError;
    expect(locked.reason).toBe("account_locked");
    expect(locked.retryAfterSeconds).toBe(900);
  });

  it("a success clears the count of consecutive failures", async () => {
    const gatehouse = await startGatehouse();
    const { email, password } = await gatehouse.signUp();
    for (let i = 0; i < 9; i += 1) await fail(gatehouse, email);
    await gatehouse.api.auth.login({ email, password });
    for (let i = 0; i < 9; i += 1) await fail(gatehouse, email);
    await gatehouse.api.auth.login({ email, password });
  });

  it("does not lock out the owner's known device (token mode): its failures count against it alone", async () => {
    const gatehouse = await startGatehouse();
    const { email, password } = await gatehouse.signUp();
    const { deviceToken } = tokensOf(await gatehouse.api.auth.login({ email, password }));
    expect(deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (let i = 0; i < 12; i += 1) await fail(gatehouse, email);
    expect(await refusalOf(gatehouse.api.auth.login({ email, password }))).toBe("account_locked");
    const owner = tokensOf(await gatehouse.api.auth.login({ email, password, deviceToken }));
    expect(owner.deviceToken).toBe(deviceToken);
    // A stolen device credential only locks itself.
    for (let i = 0; i < 10; i += 1) await refusalOf(gatehouse.api.auth.login({ email, password: "wrong password", deviceToken }));
    expect(await refusalOf(gatehouse.api.auth.login({ email, password, deviceToken }))).toBe("account_locked");
    // …and a device credential of another account exempts nothing.
    const other = await gatehouse.signUp();
    const otherDevice = tokensOf(await gatehouse.api.auth.login({ email: other.email, password })).deviceToken;
    expect(await refusalOf(gatehouse.api.auth.login({ email, password, deviceToken: otherDevice }))).toBe("account_locked");
  });

  it("cookie mode: the device cookie is HttpOnly, scoped to login, and exempts its browser", async () => {
    const server = await startServer();
    const email = uniqueEmail();
    await server.call("auth.signup", { email, password: GOOD_PASSWORD });
    const login = await server.call("auth.login", { email, password: GOOD_PASSWORD });
    const device = login.headers.getSetCookie().find((c) => c.startsWith("device_token="))!;
    expect(device).toMatch(/^device_token=[A-Za-z0-9_-]{43}; Path=\/trpc\/auth\.login; Max-Age=31536000; HttpOnly; Secure; SameSite=Strict$/);
    expect(signedInOf(login).deviceToken).toBeUndefined();
    for (let i = 0; i < 10; i += 1) await server.call("auth.login", { email, password: "wrong password" });
    const owner = await server.call("auth.login", { email, password: GOOD_PASSWORD }, { cookie: device.split(";")[0]! });
    expect(owner.status).toBe(200);
  });

  it("a known device is also counted on its own for login.email, so a flood on the email does not stop it", async () => {
    const gatehouse = await startGatehouse({ limits: { "login.email": { max: 5, windowSeconds: 60 } } });
    const { email, password, deviceToken } = await gatehouse.signUp();
    for (let i = 0; i < 6; i += 1) await fail(gatehouse, email);
    expect(await fail(gatehouse, email)).toBe("rate_limited");
    await gatehouse.api.auth.login({ email, password, deviceToken });
  });

  it("over HTTP too, where a single login is counted before tRPC runs: the device cookie has a login.email count of its own", async () => {
    const server = await startServer({ limits: { "login.email": { max: 5, windowSeconds: 60 } } });
    const email = uniqueEmail();
    await server.call("auth.signup", { email, password: GOOD_PASSWORD });
    const device = (await server.call("auth.login", { email, password: GOOD_PASSWORD })).headers.getSetCookie().find((c) => c.startsWith("device_token="))!;
    for (let i = 0; i < 5; i += 1) await server.call("auth.login", { email, password: "wrong password" });
    const flooded = await server.call("auth.login", { email, password: GOOD_PASSWORD });
    expect([flooded.status, reasonOf(flooded)]).toEqual([429, "rate_limited"]);
    const owner = await server.call("auth.login", { email, password: GOOD_PASSWORD }, { cookie: device.split(";")[0]! });
    expect(owner.status).toBe(200);
  });
});

describe("consecutive failures", () => {
  it("a slow trickle of guesses still locks: each failure restarts the window", async () => {
    const gatehouse = await startGatehouse();
    const email = uniqueEmail();
    for (let i = 0; i < 10; i += 1) {
      await fail(gatehouse, email);
      gatehouse.clock.advance(10 * 60_000);
    }
    expect(await fail(gatehouse, email)).toBe("account_locked");
  });
});
