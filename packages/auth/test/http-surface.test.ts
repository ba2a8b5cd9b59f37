import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPair, exportJWK } from "jose";
import { createRedisBackend, createStore, StoreUnavailableError } from "@gatehouse/store";
import { createEcKeyRing } from "../src/index.js";
import { hasRedis, startDedicatedRedis } from "./redis.js";
import { closeWhenTestEnds } from "./support/cleanup.js";
import { dataOf, GOOD_PASSWORD, reasonOf, startServer, uniqueEmail, type TestServer } from "./harness.js";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "strict-origin-when-cross-origin",
};

describe("HTTP surface", () => {
  it("answers /health with 200 {status: ok}", async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it.skipIf(!hasRedis)("fails closed with 503 store_unavailable when the store is unreachable", async () => {
    // A real Redis that dies under a running server.
    const redis = await startDedicatedRedis();
    const backend = await createRedisBackend({ url: redis.url, commandTimeoutMs: 500 });
    closeWhenTestEnds(() => backend.close());
    const down = await startServer({ store: createStore(backend) });
    expect((await fetch(`${down.url}/health`)).status).toBe(200);
    await redis.stop();
    const res = await fetch(`${down.url}/health`);
    expect(res.status).toBe(503);
    const login = await down.call("auth.login", { email: "a@example.com", password: GOOD_PASSWORD });
    expect(login.status).toBe(503);
    expect(reasonOf(login)).toBe("store_unavailable");
    expect(login.headers.get("retry-after")).toBe("1");
    expect(down.logLines().some((l) => l.event === "store_unavailable")).toBe(true);
  });

  it.skipIf(!hasRedis)("bounds every store operation while Redis hangs: Keyv's reads and writes and the atomic ones alike", { timeout: 20_000 }, async () => {
    const redis = await startDedicatedRedis();
    const backend = await createRedisBackend({ url: redis.url, commandTimeoutMs: 300 });
    const store = createStore(backend);
    await store.set("hung:user", { id: 1 });
    redis.hang();
    try {
      const operations: Record<string, () => Promise<unknown>> = {
        get: () => store.get("hung:user"),
        set: () => store.set("hung:user", { id: 2 }),
        delete: () => store.delete("hung:user"),
        setIfAbsent: () => store.setIfAbsent("hung:new", 1),
        take: () => store.take("hung:user"),
        incrementAndRead: () => store.incrementAndRead("hung:count", 60_000, "hung:previous"),
        update: () => store.update<number>("hung:count", (n = 0) => n + 1),
      };
      for (const [name, operation] of Object.entries(operations)) {
        const started = Date.now();
        await expect(operation(), name).rejects.toBeInstanceOf(StoreUnavailableError);
        // 300 ms each (the command timeout); far from hanging until Redis wakes.
        expect(Date.now() - started, name).toBeLessThan(2_000);
      }
    } finally {
      redis.resume();
      await backend.close();
      await redis.stop();
    }
  });

  it("puts the security headers on every response, and no X-Powered-By", async () => {
    const responses = [await fetch(`${server.url}/health`), await fetch(`${server.url}/nowhere`), await fetch(`${server.url}/trpc/auth.me`)];
    for (const res of responses) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name), name).toBe(value);
      expect(res.headers.get("content-security-policy")).toContain("default-src");
      expect(res.headers.get("x-powered-by")).toBeNull();
      expect(res.headers.get("strict-transport-security")).toBeNull();
      expect(res.headers.get("x-request-id")).toMatch(/.+/);
    }
  });

  it("sends HSTS in production", async () => {
    const production = await startServer({ production: true });
    const res = await fetch(`${production.url}/health`);
    expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
  });

  it("answers unknown paths and procedures with 404", async () => {
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404);
    const res = await server.send("auth.nothing", {});
    expect(res.status).toBe(404);
    expect(reasonOf(res)).toBe("not_found");
  });

  it("refuses bodies over 1 MiB with 413, whether it says its length or streams", async () => {
    const res = await server.call("auth.login", { email: "a@example.com", password: "x".repeat(1024 * 1024) });
    expect(res.status).toBe(413);
    expect(reasonOf(res)).toBe("payload_too_large");
    // No Content-Length: the size is only known while reading, and reading stops at the limit.
    const chunks = Array.from({ length: 5 }, () => new TextEncoder().encode("x".repeat(256 * 1024)));
    const body = new ReadableStream<Uint8Array>({ pull: (c) => void (chunks.length ? c.enqueue(chunks.shift()!) : c.close()) });
    const streamed = await fetch(`${server.url}/trpc/auth.login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error: { data: { reason: string } } }).error.data.reason).toBe("payload_too_large");
  });

  it("refuses methods tRPC does not use with 405, in tRPC's error shape", async () => {
    for (const method of ["PUT", "DELETE", "TRACE"]) {
      const res = await new Promise<{ status: number; body: string; allow: string | undefined }>((resolve, reject) => {
        // fetch() will not send TRACE; node:http will.
        const req = request(`${server.url}/trpc/auth.me`, { method }, (r) => {
          let body = "";
          r.on("data", (chunk: Buffer) => (body += chunk.toString()));
          r.on("end", () => resolve({ status: r.statusCode!, body, allow: r.headers.allow }));
        });
        req.on("error", reject);
        req.end();
      });
      expect(res.status).toBe(405);
      expect(res.allow).toBe("GET, HEAD, POST");
      expect(JSON.parse(res.body).error.data).toMatchObject({ code: "METHOD_NOT_SUPPORTED", path: "auth.me" });
    }
  });

  it("answers headers over 16 KiB with Node's 431, carrying the security headers", async () => {
    const { port } = new URL(server.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => socket.write(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(17 * 1024)}\r\n\r\n`));
      let text = "";
      socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain("X-Content-Type-Options: nosniff\r\n");
    expect(answer).toContain("X-Frame-Options: DENY\r\n");
    expect(answer).toContain("Content-Security-Policy: ");
    expect(answer).toContain("Connection: close\r\n");
  });

  it("carries the rate-limit fields on a rate-limited procedure's 405 and 413 too", async () => {
    const methodRefused = await new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
      request(`${server.url}/trpc/auth.login`, { method: "PUT" }, (r) => {
        r.resume();
        r.on("end", () => resolve({ status: r.statusCode!, headers: r.headers }));
      })
        .on("error", reject)
        .end();
    });
    expect(methodRefused.status).toBe(405);
    expect(methodRefused.headers["ratelimit-policy"]).toBe('"login.ip";q=100000;w=60');
    expect(methodRefused.headers["x-ratelimit-limit"]).toBe("100000");
    const wrongMethod = await fetch(`${server.url}/trpc/auth.login`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("ratelimit-policy")).toBe('"login.ip";q=100000;w=60');
    const tooLarge = await server.call("auth.login", { email: "a@example.com", password: "x".repeat(1024 * 1024) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get("x-ratelimit-remaining")).toEqual(expect.stringMatching(/^\d+$/));
    const other = await server.call("users.update", { name: "x".repeat(1024 * 1024) });
    expect(other.status).toBe(413);
    expect(other.headers.get("ratelimit-policy")).toBe('"default";q=100000;w=60');
  });

  it("answers a streaming batch (httpBatchStreamLink's trpc-accept: application/jsonl) with well-formed HTTP framing", async () => {
    const input = encodeURIComponent(JSON.stringify({ 0: null }));
    // fetch() refuses an answer that has both Content-Length and Transfer-Encoding.
    const res = await fetch(`${server.url}/trpc/auth.me?batch=1&input=${input}`, { headers: { "trpc-accept": "application/jsonl" } });
    expect(res.headers.get("transfer-encoding")).toBeNull();
    expect(Number(res.headers.get("content-length"))).toBe((await res.arrayBuffer()).byteLength);
  });

  it("keeps serving when clients vanish mid-body or mid-call", async () => {
    const { port } = new URL(server.url);
    const vanish = (payload: string) =>
      new Promise<void>((resolve) => {
        const socket = connect(Number(port), "127.0.0.1", () => {
          socket.write(payload);
          setImmediate(() => socket.destroy());
        });
        socket.on("close", () => resolve());
      });
    const body = JSON.stringify({ email: uniqueEmail(), password: GOOD_PASSWORD });
    const head = (length: number) => `POST /trpc/auth.signup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
    await vanish(head(body.length + 100) + body); // promised more than it sent
    await vanish(head(body.length) + body); // sent it all, then left before the answer
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    // The signup that arrived whole completed although nobody was left to read its answer.
    await expect.poll(async () => (await server.call("auth.login", JSON.parse(body))).status).toBe(200);
  });

  it("echoes a well-formed X-Request-Id and replaces a malformed one", async () => {
    const kept = await fetch(`${server.url}/health`, { headers: { "X-Request-Id": "trace-123" } });
    expect(kept.headers.get("x-request-id")).toBe("trace-123");
    const replaced = await fetch(`${server.url}/health`, { headers: { "X-Request-Id": "bad id\twith spaces" } });
    expect(replaced.headers.get("x-request-id")).not.toContain(" ");
  });

  it("caps batches at 10 calls", async () => {
    const paths = Array(11).fill("auth.me").join(",");
    const res = await fetch(`${server.url}/trpc/${paths}?batch=1`);
    expect(res.status).toBe(400);
    const ok = await fetch(`${server.url}/trpc/${Array(2).fill("auth.me").join(",")}?batch=1`);
    const body = (await ok.json()) as Array<{ error: { data: { reason: string } } }>;
    expect(body.map((entry) => entry.error.data.reason)).toEqual(["token_invalid", "token_invalid"]);
  });

  it("never puts a stack trace or hash in a response", async () => {
    const email = uniqueEmail();
    const bodies = [
      (await server.call("auth.signup", { email, password: GOOD_PASSWORD })).text,
      (await server.call("auth.signup", { email, password: GOOD_PASSWORD })).text,
      (await server.send("auth.login", "not an object")).text,
      await fetch(`${server.url}/trpc/auth.login`, { method: "POST", body: "{", headers: { "content-type": "application/json" } }).then((r) => r.text()),
    ];
    for (const body of bodies) {
      expect(body).not.toMatch(/\bat .+\.(ts|js):\d+/);
      expect(body).not.toContain("stack");
      expect(body).not.toMatch(/\$2[aby]\$\d\d\$/);
    }
  });

  it("serves no JWKS for symmetric keys, and the public half of asymmetric ones", async () => {
    expect((await fetch(`${server.url}/.well-known/jwks.json`)).status).toBe(404);
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const keys = await createEcKeyRing([await exportJWK(privateKey)]);
    const es = await startServer({ keys });
    const jwks = (await (await fetch(`${es.url}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", kid: keys.signing.kid });
    expect(jwks.keys[0]).not.toHaveProperty("d");
    const signup = await es.call("auth.signup", { email: uniqueEmail(), password: GOOD_PASSWORD }, { mode: "token" });
    const token = dataOf(signup).accessToken as string;
    expect(JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).alg).toBe("ES256");
    expect((await es.call("auth.me", undefined, { query: true, bearer: token })).status).toBe(200);
  });
});

describe("body-less mutations", () => {
  it("accepts POST with no body and no Content-Type (curl -X POST, mobile HTTP libraries)", async () => {
    const s = await startServer();
    const token = dataOf(await s.call("auth.signup", { email: uniqueEmail(), password: GOOD_PASSWORD })).accessToken;
    const res = await fetch(`${s.url}/trpc/auth.logout`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(reasonOf(await s.call("auth.me", undefined, { query: true, bearer: token }))).toBe("token_revoked");
    const typed = await fetch(`${s.url}/trpc/auth.login`, { method: "POST", headers: { "Content-Type": "text/xml" }, body: "<x/>" });
    expect(((await typed.json()) as { error: { data: { reason: string } } }).error.data.reason).toBe("validation_failed");
  });
});

describe("hostile bodies", () => {
  it("answers deeply nested JSON with 400 validation_failed, and keeps serving", async () => {
    const s = await startServer();
    for (const body of ["[".repeat(400_000) + "]".repeat(400_000), '{"email":'.repeat(80_000) + '"a"' + "}".repeat(80_000)]) {
      const res = await fetch(`${s.url}/trpc/auth.login`, { method: "POST", headers: { "content-type": "application/json" }, body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { data: { reason: string } } }).error.data.reason).toBe("validation_failed");
    }
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
  });
});
