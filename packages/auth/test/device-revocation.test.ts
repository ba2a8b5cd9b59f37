import { describe, expect, it } from "vitest";
import { dataOf, GOOD_PASSWORD, reasonOf, signedInOf, startServer, uniqueEmail, type TestServer } from "./harness.js";

const NEW_PASSWORD = "a brand new passphrase";

/** Logs in (token mode) and keeps what a client keeps: the access and device tokens. */
async function login(server: TestServer, email: string, password = GOOD_PASSWORD) {
  const data = signedInOf(await server.call("auth.login", { email, password }, { mode: "token" }));
  return { accessToken: data.accessToken as string, deviceToken: data.deviceToken as string };
}

async function lockEmail(server: TestServer, email: string): Promise<void> {
  for (let i = 0; i < 10; i += 1) await server.call("auth.login", { email, password: `guess ${i}` });
  expect(reasonOf(await server.call("auth.login", { email, password: "one more guess" }))).toBe("account_locked");
}

const loginWithDevice = (server: TestServer, email: string, deviceToken: string, password = GOOD_PASSWORD) =>
  server.call("auth.login", { email, password, deviceToken }, { mode: "token" });

async function resetPassword(server: TestServer, email: string, password: string): Promise<void> {
  await server.call("auth.requestPasswordReset", { email });
  const mail = (await server.outbox()).filter((m) => m.to === email && m.subject === "Reset your password").at(-1)!;
  const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
  expect((await server.call("auth.resetPassword", { token, password })).status).toBe(200);
}

describe("device credentials end with everything that ends all sessions", () => {
  it("a password reset: device credentials taken before it are no longer exempt from the lockout", async () => {
    const server = await startServer();
    const email = uniqueEmail();
    await server.call("auth.signup", { email, password: GOOD_PASSWORD });
    // Someone who had the old password keeps three device credentials: 30 guesses at the new one, unless they end.
    const stolen = [await login(server, email), await login(server, email), await login(server, email)];
    await resetPassword(server, email, NEW_PASSWORD);
    await lockEmail(server, email);
    for (const { deviceToken } of stolen) expect(reasonOf(await loginWithDevice(server, email, deviceToken, "a guess at the new one"))).toBe("account_locked");
  });

  it("a password reset: device credentials taken before it have no login.email budget of their own", async () => {
    const server = await startServer({ limits: { "login.email": { max: 5, windowSeconds: 60 } } });
    const email = uniqueEmail();
    await server.call("auth.signup", { email, password: GOOD_PASSWORD });
    const stolen = [await login(server, email), await login(server, email)];
    await resetPassword(server, email, NEW_PASSWORD);
    for (let i = 0; i < 5; i += 1) await server.call("auth.login", { email, password: `guess ${i}` });
    for (const { deviceToken } of stolen) expect(reasonOf(await loginWithDevice(server, email, deviceToken, "a guess at the new one"))).toBe("rate_limited");
  });

  it("an admin lock: after lock and unlock, a device credential from before signs in no more past a lockout", async () => {
    const server = await startServer();
    const email = uniqueEmail();
    const { user } = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }));
    const adminEmail = uniqueEmail("admin");
    const admin = dataOf(await server.call("auth.signup", { email: adminEmail, password: GOOD_PASSWORD }, { mode: "token" }));
    await server.services.users.update(admin.user.id, (u) => ({ ...u, role: "admin" }));
    const { deviceToken } = await login(server, email);
    expect((await server.call("admin.lockUser", { userId: user.id, reason: "takeover" }, { bearer: admin.accessToken })).status).toBe(200);
    expect((await server.call("admin.unlockUser", { userId: user.id }, { bearer: admin.accessToken })).status).toBe(200);
    await lockEmail(server, email);
    expect(reasonOf(await loginWithDevice(server, email, deviceToken))).toBe("account_locked");
  });

  it("a password change and logoutAll end every device credential issued before them", async () => {
    const server = await startServer();
    const email = uniqueEmail();
    await server.call("auth.signup", { email, password: GOOD_PASSWORD });
    const before = await login(server, email);
    expect((await server.call("auth.changePassword", { currentPassword: GOOD_PASSWORD, newPassword: NEW_PASSWORD }, { bearer: before.accessToken })).status).toBe(200);
    const afterChange = await login(server, email, NEW_PASSWORD);
    expect((await server.call("auth.logoutAll", undefined, { bearer: afterChange.accessToken })).status).toBe(200);
    await lockEmail(server, email);
    expect(reasonOf(await loginWithDevice(server, email, before.deviceToken, NEW_PASSWORD))).toBe("account_locked");
    expect(reasonOf(await loginWithDevice(server, email, afterChange.deviceToken, NEW_PASSWORD))).toBe("account_locked");
  });

  it("a device credential issued since still exempts its device", async () => {
    const server = await startServer();
    const email = uniqueEmail();
    await server.call("auth.signup", { email, password: GOOD_PASSWORD });
    await resetPassword(server, email, NEW_PASSWORD);
    const { deviceToken } = await login(server, email, NEW_PASSWORD);
    await lockEmail(server, email);
    const owner = await loginWithDevice(server, email, deviceToken, NEW_PASSWORD);
    expect(owner.status).toBe(200);
    expect(signedInOf(owner).deviceToken).toBe(deviceToken);
  });
});
