import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataOf, GOOD_PASSWORD, reasonOf, signedInOf, startServer, uniqueEmail, wireErrorOf, type TestServer } from "./harness.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

describe("auth.signup", () => {
  it("creates an account and returns a TokenSet with exactly the PublicUser fields (token mode)", async () => {
    const email = uniqueEmail();
    const res = await server.call("auth.signup", { email, password: GOOD_PASSWORD, name: "Ada" }, { mode: "token" });
    expect(res.status).toBe(200);
    const data = dataOf(res);
    expect(Object.keys(data).sort()).toEqual(["accessToken", "deviceToken", "expiresIn", "refreshExpiresIn", "refreshToken", "tokenType", "user"]);
    expect(data.tokenType).toBe("Bearer");
    expect(data.expiresIn).toBe(900);
    expect(data.refreshExpiresIn).toBe(7 * 24 * 3600);
    expect(Buffer.from(data.refreshToken!, "base64url").length).toBeGreaterThanOrEqual(32);
    expect(Object.keys(data.user).sort()).toEqual(["createdAt", "email", "emailVerified", "id", "mfaEnabled", "name", "role"]);
    expect(data.user).toMatchObject({ email, name: "Ada", role: "user", emailVerified: false, mfaEnabled: false });
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(res.text).not.toMatch(/\$2[aby]\$/);
  });

  it("hands out a device credential, as login does: the new account's device is out of others' lockout", async () => {
    const email = uniqueEmail();
    const tokenMode = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    expect(tokenMode.deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (let i = 0; i < 10; i += 1) await server.call("auth.login", { email, password: "wrong password" });
    expect(reasonOf(await server.call("auth.login", { email, password: GOOD_PASSWORD }, { mode: "token" }))).toBe("account_locked");
    const owner = await server.call("auth.login", { email, password: GOOD_PASSWORD, deviceToken: tokenMode.deviceToken }, { mode: "token" });
    expect(owner.status).toBe(200);
    expect(signedInOf(owner).deviceToken).toBe(tokenMode.deviceToken);

    const cookieMode = await server.call("auth.signup", { email: uniqueEmail(), password: GOOD_PASSWORD });
    expect(dataOf(cookieMode).deviceToken).toBeUndefined();
    expect(cookieMode.headers.getSetCookie().find((c) => c.startsWith("device_token="))).toMatch(
      /^device_token=[A-Za-z0-9_-]{43}; Path=\/trpc\/auth\.login; Max-Age=31536000; HttpOnly; Secure; SameSite=Strict$/,
    );
  });

  it("in cookie mode puts the refresh token only in an HttpOnly, Secure, SameSite=Strict cookie", async () => {
    const res = await server.call("auth.signup", { email: uniqueEmail(), password: GOOD_PASSWORD });
    expect(res.status).toBe(200);
    expect(dataOf(res).refreshToken).toBeUndefined();
    expect(dataOf(res).refreshExpiresIn).toBeUndefined();
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^refresh_token=[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain("Path=/trpc/auth.refresh");
    expect(cookie).toContain(`Max-Age=${7 * 24 * 3600}`);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("Secure");
    expect(cookie).toContain("SameSite=Strict");
  });

  it("normalises the email: case and surrounding spaces do not make a second account", async () => {
    const email = uniqueEmail("Mixed");
    const first = await server.call("auth.signup", { email: `  ${email.toUpperCase()} `, password: GOOD_PASSWORD });
    expect(dataOf(first).user.email).toBe(email.toLowerCase());
    const second = await server.call("auth.signup", { email: email.toLowerCase(), password: GOOD_PASSWORD });
    expect(second.status).toBe(409);
    expect(reasonOf(second)).toBe("email_taken");
  });

  it("refuses short, long and common passwords with weak_password, and accepts 8 and 128 characters", async () => {
    for (const password of ["short", "x".repeat(129), "password123", "Password1"]) {
      const res = await server.call("auth.signup", { email: uniqueEmail(), password });
      expect(res.status, password).toBe(400);
      expect(reasonOf(res), password).toBe("weak_password");
    }
    for (const password of ["k9#vQ2!m", "ü".repeat(128)]) {
      const res = await server.call("auth.signup", { email: uniqueEmail(), password });
      expect(res.status, password).toBe(200);
    }
  });

  it("refuses a password that is the email, its local part, or only spaces, at signup, reset and change", async () => {
    const email = uniqueEmail("margaret.hamilton");
    const local = email.slice(0, email.indexOf("@"));
    for (const password of [email, email.toUpperCase(), ` ${local} `, local.toUpperCase(), " ".repeat(12), "\t".repeat(9)]) {
      const res = await server.call("auth.signup", { email, password });
      expect(reasonOf(res), JSON.stringify(password)).toBe("weak_password");
    }
    const { accessToken } = dataOf(await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" }));
    const change = await server.call("auth.changePassword", { currentPassword: GOOD_PASSWORD, newPassword: local }, { bearer: accessToken });
    expect(reasonOf(change)).toBe("weak_password");
    await server.call("auth.requestPasswordReset", { email });
    const mail = (await server.outbox()).filter((m) => m.to === email && m.subject === "Reset your password").at(-1)!;
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    expect(reasonOf(await server.call("auth.resetPassword", { token, password: email }))).toBe("weak_password");
    // The link was not spent on the refusal.
    expect((await server.call("auth.resetPassword", { token, password: "a brand new passphrase" })).status).toBe(200);
  });

  it("answers bad input with validation_failed and the issues, and stores nothing", async () => {
    const res = await server.call("auth.signup", { email: "not-an-email", password: GOOD_PASSWORD });
    expect(res.status).toBe(400);
    expect(reasonOf(res)).toBe("validation_failed");
    expect(wireErrorOf(res).data.issues).toEqual([{ path: "email", message: expect.any(String) }]);
    const tooLong = await server.call("auth.signup", { email: `${"a".repeat(250)}@example.com`, password: GOOD_PASSWORD });
    expect(reasonOf(tooLong)).toBe("validation_failed");
  });

  it("rejects mass assignment: an extra field fails the whole request and changes nothing", async () => {
    const email = uniqueEmail();
    const res = await server.send("auth.signup", { email, password: GOOD_PASSWORD, role: "admin", emailVerified: true });
    expect(res.status).toBe(400);
    expect(reasonOf(res)).toBe("validation_failed");
    const retry = await server.call("auth.signup", { email, password: GOOD_PASSWORD });
    expect(retry.status).toBe(200);
    expect(dataOf(retry).user.role).toBe("user");
  });

  it("creates exactly one account when 20 signups for one email race", async () => {
    const email = uniqueEmail("race");
    const results = await Promise.all(Array.from({ length: 20 }, () => server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => reasonOf(r) === "email_taken")).toHaveLength(19);
  });
});

describe("auth.login", () => {
  const email = uniqueEmail("login");
  beforeAll(async () => {
    await server.call("auth.signup", { email, password: GOOD_PASSWORD });
  });

  it("signs in with the right password", async () => {
    const res = await server.call("auth.login", { email: email.toUpperCase(), password: GOOD_PASSWORD }, { mode: "token" });
    expect(res.status).toBe(200);
    expect(signedInOf(res).user.email).toBe(email);
    expect(signedInOf(res).refreshToken).toEqual(expect.any(String));
  });

  it("gives a wrong password and an unknown email the same status and body", async () => {
    const wrong = await server.call("auth.login", { email, password: "wrong password here" });
    const unknown = await server.call("auth.login", { email: uniqueEmail("nobody"), password: "wrong password here" });
    expect(wrong.status).toBe(401);
    expect(reasonOf(wrong)).toBe("invalid_credentials");
    expect(unknown.status).toBe(wrong.status);
    // Identical but for the request id each response carries.
    const withoutRequestId = (text: string) => text.replace(/"requestId":"[^"]+"/, "");
    expect(withoutRequestId(unknown.text)).toBe(withoutRequestId(wrong.text));
    expect(wireErrorOf(wrong).data.requestId).toBe(wrong.headers.get("x-request-id"));
    const events = server.logLines().filter((l) => l.event === "login_failed");
    expect(events.map((e) => e.reason)).toEqual(expect.arrayContaining(["wrong_password", "unknown_email"]));
  });

  it("does not let two passwords equal in their first 72 bytes both verify", async () => {
    const longEmail = uniqueEmail("long");
    const prefix = "p".repeat(72);
    await server.call("auth.signup", { email: longEmail, password: `${prefix}-first` });
    expect((await server.call("auth.login", { email: longEmail, password: `${prefix}-first` })).status).toBe(200);
    const other = await server.call("auth.login", { email: longEmail, password: `${prefix}-second` });
    expect(other.status).toBe(401);
    expect(reasonOf(other)).toBe("invalid_credentials");
  });
});
