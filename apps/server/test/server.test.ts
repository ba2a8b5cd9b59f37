import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runServer, startServerProcess, tempDataDir } from "./server-process.js";

const json = { "Content-Type": "application/json" };
const tokenMode = { ...json, "X-Auth-Mode": "token" };

describe("the server process", () => {
  it("refuses to start on bad configuration: one line per bad variable, non-zero exit, never listening", async () => {
    const { exited, output } = runServer({ AUTH_JWT_SECRET: "short", TRUST_PROXY: "lots", AUTH_DATA_DIR: tempDataDir() });
    expect(await exited).toBe(1);
    const lines = output().trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^gatehouse: invalid configuration: AUTH_JWT_SECRET: /),
      expect.stringMatching(/^gatehouse: invalid configuration: TRUST_PROXY: /),
    ]);
    expect(output()).not.toContain("server_started");
  });

  it("refuses a weak ADMIN_PASSWORD with a clear line, not a stack trace", async () => {
    const { exited, output } = runServer({
      AUTH_DATA_DIR: tempDataDir(),
      AUTH_STORE_URL: "memory://",
      ADMIN_EMAIL: "root@example.com",
      ADMIN_PASSWORD: "password",
    });
    expect(await exited).toBe(1);
    expect(output()).toMatch(/^gatehouse: invalid configuration: ADMIN_PASSWORD: .+$/m);
    expect(output()).not.toMatch(/\bat .+\.(ts|js):\d+/);
  });

  it("issues access tokens for AUTH_ACCESS_TTL (expiresIn, exp, and the API document say so), and refuses a lifetime out of range", async () => {
    const server = await startServerProcess({ AUTH_DATA_DIR: tempDataDir(), AUTH_STORE_URL: "memory://", AUTH_ACCESS_TTL: "45s" });
    try {
      const signup = await fetch(`${server.url}/trpc/auth.signup`, {
        method: "POST",
        headers: tokenMode,
        body: JSON.stringify({ email: "ttl@example.com", password: "correct horse battery staple" }),
      });
      const { accessToken, expiresIn } = ((await signup.json()) as { result: { data: { accessToken: string; expiresIn: number } } }).result.data;
      expect(expiresIn).toBe(45);
      const claims = JSON.parse(Buffer.from(accessToken.split(".")[1]!, "base64url").toString()) as { iat: number; exp: number };
      expect(claims.exp - claims.iat).toBe(45);
      const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { components: { securitySchemes: { accessToken: { description: string } } } };
      expect(doc.components.securitySchemes.accessToken.description).toContain("Lives 45 s (AUTH_ACCESS_TTL)");
    } finally {
      await server.stop();
    }
    const { exited, output } = runServer({ AUTH_DATA_DIR: tempDataDir(), AUTH_STORE_URL: "memory://", AUTH_ACCESS_TTL: "2h" });
    expect(await exited).toBe(1);
    expect(output().trim()).toBe(
      'gatehouse: invalid configuration: AUTH_ACCESS_TTL: must be a duration from 30s to 1h, like 15m or 90s (units s, m, h); got "2h"',
    );
  });

  it("refuses to start in production without a secret", async () => {
    const { exited, output } = runServer({ NODE_ENV: "production", AUTH_DATA_DIR: tempDataDir() });
    expect(await exited).toBe(1);
    expect(output()).toContain("AUTH_JWT_SECRET: is required in production");
  });

  it("serves on the embedded SQLite store by default, keeps a generated dev secret, and survives a restart", async () => {
    const dataDir = tempDataDir();
    const env = { AUTH_DATA_DIR: dataDir, AUTH_STORE_URL: `sqlite://${join(dataDir, "gatehouse.db")}` };
    const first = await startServerProcess(env);
    expect(first.output()).toContain("dev_signing_key_generated");
    const secretFile = join(dataDir, "jwt-secret");
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect((await fetch(`${first.url}/health`)).status).toBe(200);
    const signup = await fetch(`${first.url}/trpc/auth.signup`, {
      method: "POST",
      headers: tokenMode,
      body: JSON.stringify({ email: "persist@example.com", password: "a long enough passphrase" }),
    });
    const tokens = ((await signup.json()) as { result: { data: { accessToken: string; refreshToken: string } } }).result.data;
    expect(await first.stop()).toBe(0);
    expect(first.output()).toContain('"event":"shutdown"');

    const second = await startServerProcess(env);
    expect(second.output()).toContain("dev_signing_key_loaded");
    const me = await fetch(`${second.url}/trpc/auth.me`, { headers: { Authorization: `Bearer ${tokens.accessToken}` } });
    expect(me.status).toBe(200);
    const refreshed = await fetch(`${second.url}/trpc/auth.refresh`, {
      method: "POST",
      headers: tokenMode,
      body: JSON.stringify({ refreshToken: tokens.refreshToken }),
    });
    expect(refreshed.status).toBe(200);
    expect(await second.stop()).toBe(0);
    expect(existsSync(join(dataDir, "gatehouse.db"))).toBe(true);
  });

  it("refuses a second instance on the same SQLite file with a clear message", async () => {
    const dataDir = tempDataDir();
    const env = { AUTH_DATA_DIR: dataDir, AUTH_STORE_URL: `sqlite://${join(dataDir, "gatehouse.db")}` };
    const first = await startServerProcess(env);
    try {
      const second = runServer(env);
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain("in use by another process");
      expect((await fetch(`${first.url}/health`)).status).toBe(200);
    } finally {
      expect(await first.stop()).toBe(0);
    }
  });

  it("bootstraps the configured admin once", async () => {
    const dataDir = tempDataDir();
    const server = await startServerProcess({
      AUTH_DATA_DIR: dataDir,
      AUTH_STORE_URL: "memory://",
      ADMIN_EMAIL: "Root@Example.com",
      ADMIN_PASSWORD: "an admin passphrase",
    });
    const login = await fetch(`${server.url}/trpc/auth.login`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ email: "root@example.com", password: "an admin passphrase" }),
    });
    expect(login.status).toBe(200);
    const body = (await login.json()) as { result: { data: { user: { role: string } } } };
    expect(body.result.data.user.role).toBe("admin");
    await server.stop();
  });

  it("writes mails as JSON files to the data dir's outbox in development", async () => {
    const dataDir = tempDataDir();
    const server = await startServerProcess({
      AUTH_DATA_DIR: dataDir,
      AUTH_STORE_URL: "memory://",
      ADMIN_EMAIL: "root@example.com",
      ADMIN_PASSWORD: "an admin passphrase",
    });
    const post = (procedure: string, body: unknown, token?: string) =>
      fetch(`${server.url}/trpc/${procedure}`, {
        method: "POST",
        headers: { ...tokenMode, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<any>); // eslint-disable-line @typescript-eslint/no-explicit-any
    const admin = (await post("auth.login", { email: "root@example.com", password: "an admin passphrase" })).result.data;
    const victim = (await post("auth.signup", { email: "victim@example.com", password: "a long enough passphrase" })).result.data;
    await post("admin.lockUser", { userId: victim.user.id, reason: "test" }, admin.accessToken);
    await server.stop();
    const outbox = join(dataDir, "outbox");
    const files = readdirSync(outbox).filter((f) => f.endsWith(".json"));
    expect(files).toHaveLength(1);
    const mail = JSON.parse(readFileSync(join(outbox, files[0]!), "utf8"));
    expect(Object.keys(mail).sort()).toEqual(["createdAt", "html", "subject", "text", "to"]);
    expect(mail.to).toBe("victim@example.com");
  });

  it("logs JSON lines without secrets", async () => {
    const dataDir = tempDataDir();
    const server = await startServerProcess({ AUTH_DATA_DIR: dataDir, AUTH_STORE_URL: "memory://" });
    const password = "never in the logs please";
    const res = await fetch(`${server.url}/trpc/auth.signup`, {
      method: "POST",
      headers: tokenMode,
      body: JSON.stringify({ email: "logs@example.com", password }),
    });
    const { accessToken, refreshToken } = ((await res.json()) as { result: { data: { accessToken: string; refreshToken: string } } }).result.data;
    await fetch(`${server.url}/trpc/auth.me`, { headers: { Authorization: `Bearer ${accessToken}` } });
    await server.stop();
    const lines = server
      .output()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.every((line) => typeof line.time === "string" && typeof line.level === "string")).toBe(true);
    expect(lines.map((l) => l.event)).toEqual(expect.arrayContaining(["server_started", "signup", "request", "shutdown"]));
    for (const secret of [password, accessToken, refreshToken, "logs@example.com"]) expect(server.output()).not.toContain(secret);
  });
});
