import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataOf, GOOD_PASSWORD, reasonOf, signedInOf, startServer, uniqueEmail, wireErrorOf, type CallResult, type TestServer } from "./harness.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

async function signIn(mode: "token" | "cookie" = "token") {
  const email = uniqueEmail();
  const res = await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode });
  const data = dataOf(res);
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  return { email, accessToken: data.accessToken as string, refreshToken: data.refreshToken as string, cookie };
}
const refresh = (refreshToken: string | undefined) => server.call("auth.refresh", { refreshToken }, { mode: "token" });
const me = (bearer: string) => server.call("auth.me", undefined, { query: true, bearer });

describe("auth.refresh (token mode)", () => {
  it("rotates: a new refresh token each time, each usable once", async () => {
    const session = await signIn();
    const first = await refresh(session.refreshToken);
    expect(first.status).toBe(200);
    const next = dataOf(first).refreshToken;
    expect(next).not.toBe(session.refreshToken);
    expect((await me(dataOf(first).accessToken)).status).toBe(200);
    const second = await refresh(next);
    expect(second.status).toBe(200);
    expect(dataOf(second).refreshToken).not.toBe(next);
  });

  it("gives every concurrent refresh within the grace the same successor, and no family kill", async () => {
    const session = await signIn();
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(session.refreshToken)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const successors = new Set(results.map((r) => dataOf(r).refreshToken));
    expect(successors.size).toBe(1);
    const [successor] = [...successors];
    expect((await refresh(successor)).status).toBe(200);
  });

  it("treats a rotated token presented after the 10 s grace as reuse: the whole family dies, access tokens too", async () => {
    const session = await signIn();
    const rotated = await refresh(session.refreshToken);
    const { refreshToken: successor, accessToken } = dataOf(rotated);
    server.clock.advance(10_500);
    const replay = await refresh(session.refreshToken);
    expect(replay.status).toBe(401);
    expect(reasonOf(replay)).toBe("refresh_reused");
    expect(reasonOf(await refresh(successor))).toBe("refresh_invalid");
    expect(reasonOf(await me(accessToken))).toBe("token_revoked");
    expect(reasonOf(await me(session.accessToken))).toBe("token_revoked");
    expect(server.logLines().some((l) => l.event === "refresh_token_reuse")).toBe(true);
  });

  it("refuses unknown, missing and idle-expired tokens with refresh_invalid", async () => {
    expect(reasonOf(await refresh("x".repeat(43)))).toBe("refresh_invalid");
    expect(reasonOf(await server.call("auth.refresh", {}, { mode: "token" }))).toBe("refresh_invalid");
    const session = await signIn();
    server.clock.advance(7 * 24 * 3600 * 1000 + 1_000);
    expect(reasonOf(await refresh(session.refreshToken))).toBe("refresh_invalid");
  });

  it("ends a session at its absolute expiry however often it is refreshed", async () => {
    const day = 24 * 3600 * 1000;
    let { refreshToken } = await signIn();
    for (const step of [6, 6, 6, 6, 5]) {
      server.clock.advance(step * day);
      const res = await refresh(refreshToken);
      expect(res.status).toBe(200);
      expect(dataOf(res).refreshExpiresIn).toBeLessThanOrEqual(7 * 24 * 3600);
      refreshToken = dataOf(res).refreshToken!;
    }
    // Day 29: the idle window would reach day 36, but the session ends at day 30.
    server.clock.advance(day + 1_000);
    expect(reasonOf(await refresh(refreshToken))).toBe("refresh_invalid");
  });
});

describe("auth.refresh (cookie mode)", () => {
  it("reads the cookie, never the body, and sets the rotated cookie", async () => {
    const session = await signIn("cookie");
    expect(session.cookie).toMatch(/^refresh_token=/);
    const viaBody = await server.call("auth.refresh", { refreshToken: session.cookie!.slice("refresh_token=".length) });
    expect(reasonOf(viaBody)).toBe("validation_failed");
    const res = await server.call("auth.refresh", undefined, { cookie: session.cookie! });
    expect(res.status).toBe(200);
    expect(dataOf(res).refreshToken).toBeUndefined();
    const next = res.headers.getSetCookie().find((c) => c.startsWith("refresh_token=")) ?? "";
    expect(next).toMatch(/^refresh_token=[A-Za-z0-9_-]{43}; Path=\/trpc\/auth\.refresh; Max-Age=\d+; HttpOnly; Secure; SameSite=Strict$/);
    expect(next.split(";")[0]).not.toBe(session.cookie);
  });

  it("sets a secret-free, script-readable session hint with the refresh cookie, and clears it whenever the refresh cookie is cleared", async () => {
    const hintOf = (res: { headers: Headers }) => res.headers.getSetCookie().find((c) => c.startsWith("gh_session="));
    const signup = await server.call("auth.signup", { email: uniqueEmail(), password: GOOD_PASSWORD });
    const cookie = signup.headers.getSetCookie().find((c) => c.startsWith("refresh_token="))!;
    const maxAge = /Max-Age=(\d+)/.exec(cookie)![1];
    // Path=/ so every page of the site can read it; no HttpOnly, on purpose; nothing in it but "1".
    expect(hintOf(signup)).toBe(`gh_session=1; Path=/; Max-Age=${maxAge}; Secure; SameSite=Strict`);

    const refreshed = await server.call("auth.refresh", undefined, { cookie: cookie.split(";")[0]! });
    expect(hintOf(refreshed)).toMatch(/^gh_session=1; Path=\/; Max-Age=\d+;/);
    const accessToken = dataOf(refreshed).accessToken as string;

    // A refused refresh clears both; so does a logout.
    const refused = await server.call("auth.refresh", undefined, { cookie: "refresh_token=unknown" });
    expect(reasonOf(refused)).toBe("refresh_invalid");
    expect(hintOf(refused)).toBe("gh_session=; Path=/; Max-Age=0; Secure; SameSite=Strict");
    expect(hintOf(await server.call("auth.logout", undefined, { bearer: accessToken }))).toMatch(/^gh_session=; Path=\/; Max-Age=0;/);

    // Token mode gets no cookie of any kind.
    expect((await server.call("auth.signup", { email: uniqueEmail(), password: GOOD_PASSWORD }, { mode: "token" })).headers.getSetCookie()).toEqual([]);
  });
});

describe("auth.logout and auth.logoutAll", () => {
  it("logout with the access token revokes it at once and ends its refresh token", async () => {
    const session = await signIn();
    const res = await server.call("auth.logout", undefined, { bearer: session.accessToken });
    expect(res.status).toBe(200);
    expect(dataOf(res)).toEqual({ ok: true });
    expect(res.headers.get("set-cookie")).toMatch(/^refresh_token=; Path=\/trpc\/auth\.refresh; Max-Age=0/);
    expect(reasonOf(await me(session.accessToken))).toBe("token_revoked");
    expect(reasonOf(await refresh(session.refreshToken))).toBe("refresh_invalid");
    expect(server.logLines().some((l) => l.event === "logout" && l.sessionId)).toBe(true);
  });

  it("logout with only the refresh token (token mode) ends that session", async () => {
    const session = await signIn();
    const res = await server.call("auth.logout", { refreshToken: session.refreshToken }, { mode: "token" });
    expect(dataOf(res)).toEqual({ ok: true });
    expect(reasonOf(await me(session.accessToken))).toBe("token_revoked");
  });

  it("logout leaves the user's other sessions alone; logoutAll ends every one", async () => {
    const first = await signIn();
    const login = signedInOf(await server.call("auth.login", { email: first.email, password: GOOD_PASSWORD }, { mode: "token" }));
    const third = signedInOf(await server.call("auth.login", { email: first.email, password: GOOD_PASSWORD }, { mode: "token" }));
    await server.call("auth.logout", undefined, { bearer: third.accessToken });
    expect((await me(first.accessToken)).status).toBe(200);
    const all = await server.call("auth.logoutAll", undefined, { bearer: login.accessToken });
    expect(dataOf(all)).toEqual({ ok: true });
    for (const token of [first.accessToken, login.accessToken]) expect(reasonOf(await me(token))).toBe("token_revoked");
    for (const token of [first.refreshToken, login.refreshToken]) expect(reasonOf(await refresh(token))).toBe("refresh_invalid");
    const again = await server.call("auth.login", { email: first.email, password: GOOD_PASSWORD }, { mode: "token" });
    expect((await me(signedInOf(again).accessToken)).status).toBe(200);
  });

  it("logoutAll needs an access token", async () => {
    const res = await server.call("auth.logoutAll");
    expect(res.status).toBe(401);
    expect(reasonOf(res)).toBe("token_invalid");
  });
});

describe("logout with an expired access token", () => {
  it("still ends the session the token names (cookie mode cannot send the refresh cookie to logout)", async () => {
    const session = await signIn("cookie");
    server.clock.advance(16 * 60_000);
    expect(reasonOf(await me(session.accessToken))).toBe("token_expired");
    expect(dataOf(await server.call("auth.logout", undefined, { bearer: session.accessToken }))).toEqual({ ok: true });
    expect(reasonOf(await server.call("auth.refresh", undefined, { cookie: session.cookie! }))).toBe("refresh_invalid");
  });
});

describe("mistakes are answered with a reason and what to do", () => {
  const messageOf = (res: CallResult) => wireErrorOf(res).message;
  const issuesOf = (res: CallResult) => wireErrorOf(res).data.issues;

  it("a refresh token in the body without X-Auth-Mode: token is refused (400), naming the header; the token stays usable", async () => {
    const session = await signIn();
    const res = await server.call("auth.refresh", { refreshToken: session.refreshToken });
    expect(res.status).toBe(400);
    expect(reasonOf(res)).toBe("validation_failed");
    expect(issuesOf(res)).toEqual([{ path: "refreshToken", message: expect.stringContaining("X-Auth-Mode: token") }]);
    expect((await refresh(session.refreshToken)).status).toBe(200);
  });

  it("a refresh with no refresh token says where it was expected, for each mode", async () => {
    const tokenMode = await server.call("auth.refresh", {}, { mode: "token" });
    expect([tokenMode.status, reasonOf(tokenMode)]).toEqual([401, "refresh_invalid"]);
    expect(messageOf(tokenMode)).toMatch(/in the body as \{"refreshToken"/);
    const cookieMode = await server.call("auth.refresh");
    expect([cookieMode.status, reasonOf(cookieMode)]).toEqual([401, "refresh_invalid"]);
    expect(messageOf(cookieMode)).toMatch(/no refresh_token cookie.*X-Auth-Mode: token/);
  });

  it("logout with a Bearer that is not one of our tokens answers token_invalid and says nothing was logged out", async () => {
    const session = await signIn();
    for (const bearer of ["garbage", `${session.accessToken.slice(0, -4)}AAAA`]) {
      const res = await server.call("auth.logout", undefined, { bearer });
      expect([res.status, reasonOf(res)], bearer).toEqual([401, "token_invalid"]);
      expect(messageOf(res)).toMatch(/nothing was logged out.*Authorization: Bearer/);
    }
    expect((await me(session.accessToken)).status).toBe(200);
  });

  it("logout with an API key says to revoke the key instead", async () => {
    const session = await signIn();
    const key = dataOf(await server.call("apiKeys.create", { name: "k", scopes: ["profile:read"] }, { bearer: session.accessToken })).key;
    const res = await server.call("auth.logout", undefined, { bearer: key });
    expect([res.status, reasonOf(res)]).toEqual([401, "token_invalid"]);
    expect(messageOf(res)).toMatch(/apiKeys\.revoke/);
  });

  it("logout naming no session at all, or an unknown refresh token, is refused", async () => {
    const nothing = await server.call("auth.logout");
    expect([nothing.status, reasonOf(nothing)]).toEqual([401, "token_invalid"]);
    expect(messageOf(nothing)).toMatch(/No session was named/);
    const unknown = await server.call("auth.logout", { refreshToken: "x".repeat(43) }, { mode: "token" });
    expect([unknown.status, reasonOf(unknown)]).toEqual([401, "refresh_invalid"]);
    expect(messageOf(unknown)).toMatch(/nothing was logged out/);
    const session = await signIn();
    const withoutMode = await server.call("auth.logout", { refreshToken: session.refreshToken });
    expect(reasonOf(withoutMode)).toBe("validation_failed");
    expect((await me(session.accessToken)).status).toBe(200);
  });

  it("logout of a session that has already ended is still ok (logging out twice is not an error)", async () => {
    const session = await signIn();
    expect(dataOf(await server.call("auth.logout", undefined, { bearer: session.accessToken }))).toEqual({ ok: true });
    expect(dataOf(await server.call("auth.logout", undefined, { bearer: session.accessToken }))).toEqual({ ok: true });
    expect(dataOf(await server.call("auth.logout", { refreshToken: session.refreshToken }, { mode: "token" }))).toEqual({ ok: true });
  });
});

describe("logout of a session already ended", () => {
  it("changes nothing and records nothing, however often it is repeated (an expired, signed token is enough to try)", async () => {
    const session = await signIn();
    const user = dataOf(await me(session.accessToken)).user;
    await server.call("auth.logout", undefined, { bearer: session.accessToken });
    server.clock.advance(16 * 60_000);
    for (let i = 0; i < 5; i += 1) expect(dataOf(await server.call("auth.logout", undefined, { bearer: session.accessToken }))).toEqual({ ok: true });
    await server.services.events.drain();
    const mine = server.logLines().filter((l) => l.userId === user.id);
    expect(mine.filter((l) => l.event === "logout")).toHaveLength(1);
    expect(mine.filter((l) => l.event === "token_revoked")).toHaveLength(1);
    const activity = await server.services.activity.page(user.id, undefined, 100);
    expect(activity.items.filter((e) => e.event === "logout")).toHaveLength(1);
  });
});
