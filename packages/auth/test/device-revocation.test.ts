import { describe, expect, it, vi } from "vitest";
import { dataOf, GOOD_PASSWORD, signedInOf, startServer, uniqueEmail } from "./harness.js";
import { refusalOf, startGatehouse, tokensOf, type Gatehouse } from "./support/gatehouse.js";

const NEW_PASSWORD = "a brand new passphrase";

/** Logs in (token mode) and keeps what a client keeps: the access and device tokens. */
async function login(gatehouse: Gatehouse, email: string, password = GOOD_PASSWORD) {
  const { accessToken, deviceToken } = tokensOf(await gatehouse.api.auth.login({ email, password }));
  return { accessToken, deviceToken: deviceToken! };
}

async function lockEmail(gatehouse: Gatehouse, email: string): Promise<void> {
  for (let i = 0; i < 10; i += 1) await refusalOf(gatehouse.api.auth.login({ email, password: `guess ${i}` }));
  expect(await refusalOf(gatehouse.api.auth.login({ email, password: "one more guess" }))).toBe("account_locked");
}

const loginWithDevice = (gatehouse: Gatehouse, email: string, deviceToken: string, password = GOOD_PASSWORD) =>
  gatehouse.api.auth.login({ email, password, deviceToken });

async function resetPassword(gatehouse: Gatehouse, email: string, password: string): Promise<void> {
  await gatehouse.api.auth.requestPasswordReset({ email });
  const mail = (await gatehouse.outbox()).filter((m) => m.to === email && m.subject === "Reset your password").at(-1)!;
  const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
  await gatehouse.api.auth.resetPassword({ token, password });
}

describe("device credentials end with everything that ends all sessions", () => {
  it("a password reset: device credentials taken before it are no longer exempt from the lockout", async () => {
    const gatehouse = await startGatehouse();
    const { email } = await gatehouse.signUp();
    // Someone who had the old password keeps three device credentials: 30 guesses at the new one, unless they end.
    const stolen = [await login(gatehouse, email), await login(gatehouse, email), await login(gatehouse, email)];
    await resetPassword(gatehouse, email, NEW_PASSWORD);
    await lockEmail(gatehouse, email);
    for (const { deviceToken } of stolen)
      expect(await refusalOf(loginWithDevice(gatehouse, email, deviceToken, "a guess at the new one"))).toBe("account_locked");
  });

  it("a password reset: device credentials taken before it have no login.email budget of their own", async () => {
    const gatehouse = await startGatehouse({ limits: { "login.email": { max: 5, windowSeconds: 60 } } });
    const { email } = await gatehouse.signUp();
    const stolen = [await login(gatehouse, email), await login(gatehouse, email)];
    await resetPassword(gatehouse, email, NEW_PASSWORD);
    for (let i = 0; i < 5; i += 1) await refusalOf(gatehouse.api.auth.login({ email, password: `guess ${i}` }));
    for (const { deviceToken } of stolen)
      expect(await refusalOf(loginWithDevice(gatehouse, email, deviceToken, "a guess at the new one"))).toBe("rate_limited");
  });

  it("an admin lock: after lock and unlock, a device credential from before signs in no more past a lockout", async () => {
    const gatehouse = await startGatehouse();
    const { email, userId } = await gatehouse.signUp();
    const admin = await gatehouse.signUp({ email: uniqueEmail("admin") });
    await gatehouse.services.users.update(admin.userId, (u) => ({ ...u, role: "admin" }));
    const { deviceToken } = await login(gatehouse, email);
    await gatehouse.as(admin).admin.lockUser({ userId, reason: "takeover" });
    await gatehouse.as(admin).admin.unlockUser({ userId });
    await lockEmail(gatehouse, email);
    expect(await refusalOf(loginWithDevice(gatehouse, email, deviceToken))).toBe("account_locked");
  });

  it("a password change and logoutAll end every device credential issued before them", async () => {
    const gatehouse = await startGatehouse();
    const { email } = await gatehouse.signUp();
    const before = await login(gatehouse, email);
    await gatehouse.as(before).auth.changePassword({ currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD });
    const afterChange = await login(gatehouse, email, NEW_PASSWORD);
    await gatehouse.as(afterChange).auth.logoutAll();
    await lockEmail(gatehouse, email);
    expect(await refusalOf(loginWithDevice(gatehouse, email, before.deviceToken, NEW_PASSWORD))).toBe("account_locked");
    expect(await refusalOf(loginWithDevice(gatehouse, email, afterChange.deviceToken, NEW_PASSWORD))).toBe("account_locked");
  });

  it("a device credential issued since still exempts its device", async () => {
    const gatehouse = await startGatehouse();
    const { email } = await gatehouse.signUp();
    await resetPassword(gatehouse, email, NEW_PASSWORD);
    const { deviceToken } = await login(gatehouse, email, NEW_PASSWORD);
    await lockEmail(gatehouse, email);
    const owner = tokensOf(await loginWithDevice(gatehouse, email, deviceToken, NEW_PASSWORD));
    expect(owner.deviceToken).toBe(deviceToken);
  });
});

describe("a login with a device credential", () => {
  it("looks the device up once over HTTP, for its rate-limit key and its sign-in alike", async () => {
    const server = await startServer();
    const email = uniqueEmail();
    dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    const { deviceToken } = signedInOf(await server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    const find = vi.spyOn(server.services.devices, "find");
    // A single call is counted in the HTTP layer, a batch in the middleware: one lookup either way.
    expect((await server.call("auth.login", { email, password: GOOD_PASSWORD, deviceToken: deviceToken! }, { mode: "token" })).status).toBe(200);
    expect(find).toHaveBeenCalledTimes(1);
    find.mockClear();
    const batch = await fetch(`${server.url}/trpc/auth.login?batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-auth-mode": "token" },
      body: JSON.stringify({ 0: { email, password: GOOD_PASSWORD, deviceToken } }),
    });
    expect(batch.status).toBe(200);
    expect(find).toHaveBeenCalledTimes(1);
  });

  it("looks the device up once when signing in with an emailed code", async () => {
    const server = await startServer();
    const email = uniqueEmail();
    const { deviceToken } = signedInOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    dataOf(await server.call("auth.requestEmailCode", { email }));
    const mail = (await server.outbox()).filter((m) => m.to === email && m.subject === "Your sign-in code").at(-1)!;
    const code = /\b(\d{6})\b/.exec(mail.text)![1]!;
    const find = vi.spyOn(server.services.devices, "find");
    expect((await server.call("auth.loginWithEmailCode", { email, code, deviceToken: deviceToken! }, { mode: "token" })).status).toBe(200);
    expect(find).toHaveBeenCalledTimes(1);
  });
});
