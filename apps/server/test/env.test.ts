import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseEnv } from "../src/env.js";

const SECRET = randomBytes(32).toString("base64");

describe("environment validation", () => {
  it("applies the contract's defaults", () => {
    const result = parseEnv({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.env).toMatchObject({
      PORT: 3000,
      HOST: "127.0.0.1",
      NODE_ENV: "development",
      AUTH_STORE_URL: "sqlite://./data/gatehouse.db",
      AUTH_ISSUER: "gatehouse",
      AUTH_AUDIENCE: "gatehouse-api",
      CORS_ORIGINS: [],
      TRUST_PROXY: 0,
      LOG_LEVEL: "info",
      AUTH_BCRYPT_COST: 12,
      AUTH_ACCESS_TTL: 900,
      APP_URL: "http://localhost:3000",
      AUTH_PASSWORDLESS_SIGNUP: false,
    });
    expect(result.env.AUTH_JWT_SECRET).toBeUndefined();
  });

  it("takes APP_URL's port from PORT when unset, and AUTH_PASSWORDLESS_SIGNUP as true or false only", () => {
    const result = parseEnv({ PORT: "8080", AUTH_PASSWORDLESS_SIGNUP: "true" });
    expect(result.ok && [result.env.APP_URL, result.env.AUTH_PASSWORDLESS_SIGNUP]).toEqual(["http://localhost:8080", true]);
    const given = parseEnv({ APP_URL: "https://app.example.com" });
    expect(given.ok && given.env.APP_URL).toBe("https://app.example.com");
    const bad = parseEnv({ AUTH_PASSWORDLESS_SIGNUP: "yes" });
    expect(bad.ok ? [] : bad.errors).toEqual(["AUTH_PASSWORDLESS_SIGNUP: must be true or false"]);
  });

  it("reports one line per bad variable, naming each", () => {
    const result = parseEnv({
      PORT: "eighty",
      AUTH_STORE_URL: "postgres://db",
      AUTH_JWT_SECRET: "too-short",
      CORS_ORIGINS: "https://ok.example.com,*",
      TRUST_PROXY: "-1",
      AUTH_LIMITS: '{"login.email":"lots"}',
      LOG_LEVEL: "loud",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const names = result.errors.map((line) => line.split(":")[0]);
    expect(names.sort()).toEqual(["AUTH_JWT_SECRET", "AUTH_LIMITS", "AUTH_STORE_URL", "CORS_ORIGINS", "LOG_LEVEL", "PORT", "TRUST_PROXY"]);
    expect(result.errors.find((l) => l.startsWith("CORS_ORIGINS"))).toContain("`*` is refused");
    expect(result.errors.find((l) => l.startsWith("AUTH_JWT_SECRET"))).toContain("32");
  });

  it("reads AUTH_ACCESS_TTL as a duration from 30s to 1h, and refuses anything else with what it takes", () => {
    for (const [text, seconds] of [
      ["30s", 30],
      ["90s", 90],
      ["1m", 60],
      ["15m", 900],
      ["1h", 3600],
      ["60m", 3600],
    ] as const) {
      const result = parseEnv({ AUTH_ACCESS_TTL: text });
      expect(result.ok && result.env.AUTH_ACCESS_TTL, text).toBe(seconds);
    }
    for (const text of ["29s", "2h", "61m", "15", "15 minutes", "-1m", "0s"]) {
      const result = parseEnv({ AUTH_ACCESS_TTL: text });
      expect(result.ok, text).toBe(false);
      if (!result.ok) expect(result.errors).toEqual([`AUTH_ACCESS_TTL: must be a duration from 30s to 1h, like 15m or 90s (units s, m, h); got "${text}"`]);
    }
  });

  it("accepts secrets of 32 bytes or more as hex or base64, and refuses 31", () => {
    expect(parseEnv({ AUTH_JWT_SECRET: SECRET }).ok).toBe(true);
    expect(parseEnv({ AUTH_JWT_SECRET: "ab".repeat(32) }).ok).toBe(true);
    expect(parseEnv({ AUTH_JWT_SECRET: Buffer.alloc(31, 1).toString("base64") }).ok).toBe(false);
  });

  it("in production requires a secret and refuses the outbox mail transport", () => {
    const result = parseEnv({ NODE_ENV: "production", MAIL_TRANSPORT: "outbox:./data/outbox" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((l) => l.split(":")[0]).sort()).toEqual(["AUTH_JWT_SECRET", "MAIL_TRANSPORT"]);
    expect(parseEnv({ NODE_ENV: "production", AUTH_JWT_SECRET: SECRET }).ok).toBe(true);
  });

  it("in production refuses secrets that are long enough but not random (repeated, patterned or counting bytes)", () => {
    const counting = Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString("hex");
    for (const weak of ["a".repeat(64), "ab".repeat(32), "deadbeef".repeat(8), counting, Buffer.alloc(48, 7).toString("base64")]) {
      const result = parseEnv({ NODE_ENV: "production", AUTH_JWT_SECRET: weak });
      expect(result.ok ? [] : result.errors, weak).toEqual([expect.stringMatching(/^AUTH_JWT_SECRET: looks chosen, not random/)]);
      // Development keeps accepting them (tests, local set-ups).
      expect(parseEnv({ AUTH_JWT_SECRET: weak }).ok).toBe(true);
    }
    const others = parseEnv({
      NODE_ENV: "production",
      AUTH_JWT_SECRET: SECRET,
      AUTH_JWT_PREVIOUS_SECRETS: `${SECRET},${"a".repeat(64)}`,
      AUTH_DATA_KEY: "0".repeat(64),
    });
    expect(others.ok ? [] : others.errors.map((l) => l.split(":")[0]).sort()).toEqual(["AUTH_DATA_KEY", "AUTH_JWT_PREVIOUS_SECRETS"]);
    expect(
      parseEnv({ NODE_ENV: "production", AUTH_JWT_SECRET: randomBytes(32).toString("hex"), AUTH_DATA_KEY: randomBytes(48).toString("base64url") }).ok,
    ).toBe(true);
  });

  it("parses AUTH_OAUTH_PROVIDERS, with a clear message naming each bad entry", () => {
    const good = parseEnv({
      AUTH_OAUTH_PROVIDERS: JSON.stringify([
        { id: "google", issuer: "https://accounts.google.com", clientId: "c", clientSecret: "s" },
        { id: "github", clientId: "c2", clientSecret: "s2" },
      ]),
    });
    expect(good.ok && good.env.AUTH_OAUTH_PROVIDERS).toEqual([
      { id: "google", issuer: "https://accounts.google.com", clientId: "c", clientSecret: "s", scopes: ["openid", "email", "profile"], redirectUris: [] },
      { id: "github", clientId: "c2", clientSecret: "s2", scopes: ["read:user", "user:email"], redirectUris: [] },
    ]);
    expect(parseEnv({}).ok && (parseEnv({}) as { env: { AUTH_OAUTH_PROVIDERS: unknown } }).env.AUTH_OAUTH_PROVIDERS).toEqual([]);

    const bad = parseEnv({
      AUTH_OAUTH_PROVIDERS: JSON.stringify([
        { id: "acme", issuer: "http://idp.example.com", clientId: "c", clientSecret: "s" },
        { id: "okta", clientId: "c" },
        { id: "github", clientId: "c", clientSecret: "s", endpoints: { token: "http://evil" } },
        { id: "acme", issuer: "https://a.example", clientId: "c", clientSecret: "s", scopes: ["email"] },
      ]),
    });
    expect(bad.ok).toBe(false);
    const [line] = bad.ok ? [] : bad.errors;
    expect(line).toMatch(/^AUTH_OAUTH_PROVIDERS: /);
    expect(line).toContain('entry 1 ("acme"): issuer must be');
    expect(line).toContain('entry 2 ("okta"): issuer must be');
    expect(line).toContain('entry 2 ("okta"): clientSecret is required');
    expect(line).toMatch(/entry 3 \("github"\): .*endpoints/);
    expect(line).toContain('entry 4 ("acme"): scopes must include "openid"');
    const twice = parseEnv({
      AUTH_OAUTH_PROVIDERS: JSON.stringify([
        { id: "github", clientId: "c", clientSecret: "s" },
        { id: "github", clientId: "d", clientSecret: "t" },
      ]),
    });
    expect(twice.ok ? [] : twice.errors).toEqual(['AUTH_OAUTH_PROVIDERS: entry 2 ("github"): id "github" is used twice']);
    expect(parseEnv({ AUTH_OAUTH_PROVIDERS: "{}" }).ok).toBe(false);
    // A local development IdP on plain http is fine, but never in production.
    const local = JSON.stringify([{ id: "dev", issuer: "http://127.0.0.1:9000", clientId: "c", clientSecret: "s" }]);
    expect(parseEnv({ AUTH_OAUTH_PROVIDERS: local }).ok).toBe(true);
    const production = parseEnv({ NODE_ENV: "production", AUTH_JWT_SECRET: SECRET, AUTH_OAUTH_PROVIDERS: local });
    expect(production.ok ? [] : production.errors.filter((e) => e.startsWith("AUTH_OAUTH_PROVIDERS"))).toHaveLength(1);
  });

  it("parses AUTH_LIMITS overrides and refuses unknown rules", () => {
    const result = parseEnv({ AUTH_LIMITS: '{"login.email":"100/1m","login.lockout":"10/15m"}' });
    expect(result.ok && result.env.AUTH_LIMITS).toEqual({ "login.email": { max: 100, windowSeconds: 60 }, "login.lockout": { max: 10, windowSeconds: 900 } });
    const added = parseEnv({ AUTH_LIMITS: '{"reauth.user":"5/15m","verify.email":"1/1h"}' });
    expect(added.ok && added.env.AUTH_LIMITS).toEqual({ "reauth.user": { max: 5, windowSeconds: 900 }, "verify.email": { max: 1, windowSeconds: 3600 } });
    const unknown = parseEnv({ AUTH_LIMITS: '{"login.everything":"1/1s"}' });
    expect(unknown.ok).toBe(false);
  });

  it("accepts every store URL form and refuses a malformed one with its expected form, never repeating it", () => {
    for (const url of [
      "memory://",
      "sqlite://./data/gatehouse.db",
      "redis://127.0.0.1:6379/2",
      "rediss://:secret@cache.internal:6380",
      "redis-cluster://10.0.0.1:7000",
      "redis-cluster://10.0.0.1:7000,10.0.0.2:7001,[::1]:7002",
      "redis-cluster://app:secret@10.0.0.1:7000,10.0.0.2:7000",
      "postgres://gatehouse:secret@db.internal:5432/gatehouse",
      "postgres://postgres@127.0.0.1:5432/gatehouse?sslmode=require",
    ]) {
      expect(parseEnv({ AUTH_STORE_URL: url }).ok, url).toBe(true);
    }
    const refused: Array<[string, RegExp]> = [
      ["redis-cluster://10.0.0.1", /HOST:PORT\[,HOST:PORT…\]/],
      ["redis-cluster://10.0.0.1:7000,", /each with its port/],
      ["redis-cluster://10.0.0.1:99999", /each with its port/],
      ["postgres://db.internal:5432/gatehouse", /USER\[:PASS\]@HOST:PORT\/DB/],
      ["postgres://gatehouse:hunter2@db.internal:5432", /USER\[:PASS\]@HOST:PORT\/DB/],
      ["redis://127.0.0.1:6379/zero", /database number/],
      ["mysql://root@db/gatehouse", /postgres:\/\/USER/],
    ];
    for (const [url, message] of refused) {
      const result = parseEnv({ AUTH_STORE_URL: url });
      const errors = result.ok ? [] : result.errors;
      expect(errors, url).toHaveLength(1);
      expect(errors[0]).toMatch(/^AUTH_STORE_URL: /);
      expect(errors[0]).toMatch(message);
      expect(errors[0]).not.toContain("hunter2");
    }
  });

  it("wants ADMIN_EMAIL and ADMIN_PASSWORD together", () => {
    const result = parseEnv({ ADMIN_EMAIL: "root@example.com" });
    expect(result.ok ? [] : result.errors).toEqual(["ADMIN_PASSWORD: ADMIN_EMAIL and ADMIN_PASSWORD go together"]);
  });
});

describe("key material", () => {
  it("refuses a malformed AUTH_JWT_PRIVATE_KEY and a short AUTH_DATA_KEY with one clear line each", () => {
    const result = parseEnv({ AUTH_JWT_ALG: "ES256", AUTH_JWT_PRIVATE_KEY: "{not json", AUTH_DATA_KEY: "short" });
    expect(result.ok ? [] : result.errors.map((l) => l.split(":")[0]).sort()).toEqual(["AUTH_DATA_KEY", "AUTH_JWT_PRIVATE_KEY"]);
  });
});
