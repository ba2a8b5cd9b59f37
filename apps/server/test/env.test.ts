import { describe, expect, it } from "vitest";
import { parseEnv } from "../src/env.js";

const SECRET = Buffer.alloc(32, 7).toString("base64");

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
    });
    expect(result.env.AUTH_JWT_SECRET).toBeUndefined();
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

  it("parses AUTH_LIMITS overrides and refuses unknown rules", () => {
    const result = parseEnv({ AUTH_LIMITS: '{"login.email":"100/1m","login.lockout":"10/15m"}' });
    expect(result.ok && result.env.AUTH_LIMITS).toEqual({ "login.email": { max: 100, windowSeconds: 60 }, "login.lockout": { max: 10, windowSeconds: 900 } });
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
