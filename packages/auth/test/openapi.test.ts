import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter, REASONS } from "../src/index.js";
import { catalogOf } from "../src/testing.js";
import { createDocClient } from "./openapi-client.js";
import { GOOD_PASSWORD, startServer, uniqueEmail, type TestServer } from "./harness.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- the document under test, read as plain JSON */
let server: TestServer;
let doc: any;
beforeAll(async () => {
  server = await startServer();
  const response = await fetch(`${server.url}/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/json");
  doc = await response.json();
});
afterAll(() => server.close());

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 1)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("has component schemas that are valid JSON Schema 2020-12 (strict)", () => {
    const ajv = new Ajv2020({ strict: true, validateFormats: false });
    // Strict mode knows only JSON Schema keywords: the components as $defs, references moved along.
    const $defs = JSON.parse(JSON.stringify(doc.components.schemas).replaceAll('"#/components/schemas/', '"#/$defs/'));
    ajv.addSchema({ $id: "https://gatehouse.test/c.json", $defs });
    for (const name of Object.keys($defs)) {
      expect(() => ajv.getSchema(`https://gatehouse.test/c.json#/$defs/${name}`), name).not.toThrow();
    }
  });

  it("describes every procedure of the router: GET for queries, POST for mutations, input and output", () => {
    const catalog = catalogOf(appRouter);
    expect(Object.keys(doc.paths).sort()).toEqual(catalog.map((entry) => `/trpc/${entry.path}`).sort());
    for (const entry of catalog) {
      const item = doc.paths[`/trpc/${entry.path}`];
      const method = entry.kind === "query" ? "get" : "post";
      expect(Object.keys(item), entry.path).toEqual([method]);
      const operation = item[method];
      expect(operation["x-gatehouse-access"], entry.path).toBe(entry.meta.access);
      const documentsInput = method === "get" ? (operation.parameters ?? []).some((p: any) => p.name === "input") : operation.requestBody !== undefined;
      expect(documentsInput, `${entry.path} input`).toBe(entry.input !== undefined);
      expect(operation.responses["200"].content["application/json"].schema.properties.result.properties.data.$ref, `${entry.path} output`).toMatch(
        /^#\/components\/schemas\//,
      );
      for (const status of Object.keys(operation.responses).filter((s) => s !== "200")) {
        expect(
          operation.responses[status].content["application/json"].schema.allOf[1].properties.error.properties.data.properties.reason.enum.length,
        ).toBeGreaterThan(0);
      }
    }
  });

  it("names every reason of the reason table somewhere", () => {
    const documented = new Set(
      JSON.stringify(doc.paths)
        .match(/"enum":\[[^\]]*\]/g)!
        .flatMap((list) => JSON.parse(list.slice(7))),
    );
    const missing = Object.keys(REASONS).filter((reason) => !documented.has(reason));
    // Every way to sign in this server offers answers its own reasons.
    expect(missing).toEqual([]);
  });

  it("documents the security schemes: Bearer access token, API key, refresh cookie", () => {
    const schemes = doc.components.securitySchemes;
    expect(schemes.accessToken).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    expect(schemes.apiKey).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "gth_…" });
    expect(schemes.refreshCookie).toMatchObject({ type: "apiKey", in: "cookie", name: "refresh_token" });
    expect(doc.paths["/trpc/auth.me"].get.security).toEqual([{ accessToken: [] }, { apiKey: [] }]);
    expect(doc.paths["/trpc/auth.refresh"].post.security).toEqual([{ refreshCookie: [] }, {}]);
    expect(doc.paths["/trpc/auth.signup"].post.security).toEqual([]);
  });
});

describe("a client that knows only the document", () => {
  it("signs up, logs in, reads, refreshes and logs out; every answer is one the document describes", async () => {
    const api = createDocClient(server.url, doc);
    const email = uniqueEmail("doc");
    const signup = await api.call("auth.signup", { input: { email, password: GOOD_PASSWORD, name: "Ada" }, tokenMode: true });
    expect(signup.status).toBe(200);
    expect(signup.body.result.data.deviceToken).toEqual(expect.any(String));

    const wrong = await api.call("auth.login", { input: { email, password: "not the password" }, tokenMode: true });
    expect([wrong.status, wrong.body.error.data.reason]).toEqual([401, "invalid_credentials"]);
    const login = await api.call("auth.login", {
      input: { email, password: GOOD_PASSWORD, deviceToken: signup.body.result.data.deviceToken },
      tokenMode: true,
    });
    expect(login.status).toBe(200);
    const { accessToken, refreshToken, user } = login.body.result.data;

    expect((await api.call("auth.me", { bearer: accessToken })).body.result.data.user.email).toBe(email);
    expect((await api.call("users.update", { input: { name: "Ada L." }, bearer: accessToken })).status).toBe(200);
    expect((await api.call("users.get", { input: { id: user.id }, bearer: accessToken })).body.result.data.user.name).toBe("Ada L.");
    expect((await api.call("sessions.list", { bearer: accessToken })).body.result.data).toHaveLength(2);
    expect((await api.call("activity.list", { input: { limit: 5 }, bearer: accessToken })).status).toBe(200);
    expect((await api.call("admin.listUsers", { bearer: accessToken })).body.error.data.reason).toBe("forbidden");

    const key = await api.call("apiKeys.create", { input: { name: "doc", scopes: ["profile:read"] }, bearer: accessToken });
    expect(key.status).toBe(200);
    expect((await api.call("auth.me", { bearer: key.body.result.data.key })).status).toBe(200);
    expect((await api.call("apiKeys.list", { bearer: accessToken })).body.result.data).toHaveLength(1);

    const refreshed = await api.call("auth.refresh", { input: { refreshToken }, tokenMode: true });
    expect(refreshed.status).toBe(200);
    const next = refreshed.body.result.data;
    expect(next.refreshToken).not.toBe(refreshToken);
    const withoutMode = await api.call("auth.refresh", { input: { refreshToken: next.refreshToken } });
    expect([withoutMode.status, withoutMode.body.error.data.reason]).toEqual([400, "validation_failed"]);

    expect((await api.call("auth.resetPassword", { input: { token: "x".repeat(43), password: GOOD_PASSWORD } })).status).toBe(401);
    expect((await api.call("auth.logout", { bearer: "not-a-token" })).body.error.data.reason).toBe("token_invalid");
    expect((await api.call("auth.logout", { bearer: next.accessToken })).body.result.data).toEqual({ ok: true });
    expect((await api.call("auth.me", { bearer: next.accessToken })).body.error.data.reason).toBe("token_revoked");
    expect((await api.call("auth.refresh", { input: { refreshToken: next.refreshToken }, tokenMode: true })).body.error.data.reason).toBe("refresh_invalid");
  });

  it("refuses to send what the document does not allow", async () => {
    const api = createDocClient(server.url, doc);
    await expect(api.call("auth.login", { input: { email: "a@example.com", password: GOOD_PASSWORD, role: "admin" } })).rejects.toThrow(
      /does not match the document/,
    );
    await expect(api.call("auth.me", { tokenMode: true })).rejects.toThrow(/X-Auth-Mode/);
    await expect(api.call("auth.signup", { bearer: "gth_x" })).rejects.toThrow(/apiKey/);
  });
});
