import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStaticSite, SITE_CSP } from "../src/static-site.js";
import { startServerProcess, tempDataDir } from "./server-process.js";

const INDEX = "<!doctype html><title>demo</title>";
const ASSET = "console.log('app')";

function writeSite(): string {
  const dir = tempDataDir();
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), INDEX);
  writeFileSync(join(dir, "assets", "index-AbCd1234.js"), ASSET);
  writeFileSync(join(dir, "assets", "index-Zz9_Yy8-.css"), "body{}");
  writeFileSync(join(dir, "favicon.svg"), "<svg/>");
  writeFileSync(join(dir, ".env"), "SECRET=1");
  // A build that happens to ship a file by an API path must not shadow the API.
  writeFileSync(join(dir, "openapi.json"), "{}");
  return dir;
}

/** A raw request, so that paths like /../ reach the server unnormalised. */
function get(
  base: string,
  path: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the static site in front of the API", () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const site = await loadStaticSite(writeSite(), { production: true });
    expect(site).toBeDefined();
    // The API stand-in answers whatever the site leaves alone.
    server = createServer((req, res) => {
      if (site!.handle(req, res)) return;
      res.statusCode = 404;
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ api: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("serves index.html at / with no-cache, the site CSP and the security headers", async () => {
    const res = await get(base, "/");
    expect(res.status).toBe(200);
    expect(res.body).toBe(INDEX);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.headers["content-security-policy"]).toBe(SITE_CSP);
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["x-frame-options"]).toBe("DENY");
    expect(res.headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(res.headers["strict-transport-security"]).toContain("max-age=");
    expect(res.headers["x-powered-by"]).toBeUndefined();
  });

  it("serves hashed assets with their types and a long cache; other files must revalidate", async () => {
    const js = await get(base, "/assets/index-AbCd1234.js");
    expect(js.status).toBe(200);
    expect(js.body).toBe(ASSET);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect((await get(base, "/assets/index-Zz9_Yy8-.css")).headers["content-type"]).toBe("text/css; charset=utf-8");
    const icon = await get(base, "/favicon.svg");
    expect(icon.headers["content-type"]).toBe("image/svg+xml");
    expect(icon.headers["cache-control"]).toBe("no-cache");
  });

  it("answers HEAD without a body and a matching If-None-Match with 304", async () => {
    const head = await get(base, "/", {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    expect(Number(head.headers["content-length"])).toBe(INDEX.length);
    const etag = String(head.headers.etag);
    const again = await get(base, "/", { "If-None-Match": etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe("");
  });

  it("gives a browser navigating to an app path the page, and everyone else the API's 404", async () => {
    const navigation = await get(base, "/settings/profile", { Accept: "text/html,application/xhtml+xml" });
    expect(navigation.status).toBe(200);
    expect(navigation.body).toBe(INDEX);
    expect((await get(base, "/settings/profile", { Accept: "*/*" })).body).toContain('"api"');
    expect((await get(base, "/missing.js", { Accept: "text/html" })).body).toContain('"api"');
  });

  it("gives the pages the mails link to (reset, verification) the app, token and all", async () => {
    for (const path of ["/reset-password?token=Ab-c_d1.2", "/verify-email?token=Zz9_Yy8-"]) {
      const res = await get(base, path, { Accept: "text/html,application/xhtml+xml" });
      expect(res.status).toBe(200);
      expect(res.body).toBe(INDEX);
    }
  });

  it("leaves the API's paths and other methods to the API", async () => {
    for (const path of ["/trpc/auth.me", "/trpc", "/oauth/acme/start", "/health", "/.well-known/jwks.json", "/openapi.json"]) {
      expect((await get(base, path, { Accept: "text/html" })).body).toBe(JSON.stringify({ api: path }));
    }
    expect((await get(base, "/", {}, "POST")).body).toBe(JSON.stringify({ api: "/" }));
  });

  it("refuses path traversal, encoded or not, and never serves dotfiles", async () => {
    for (const path of [
      "/../package.json",
      "/%2e%2e/package.json",
      "/assets/..%2f..%2fpackage.json",
      "/assets/%2e%2e/index.html",
      "/..\\index.html",
      "/%00index.html",
      "/%E0%A4%A",
    ]) {
      const res = await get(base, path, { Accept: "text/html" });
      expect(res.status, path).toBe(404);
      expect(res.body, path).toContain('"api"');
    }
    expect((await get(base, "/.env")).status).toBe(404);
  });

  it("does not load a directory without index.html", async () => {
    expect(await loadStaticSite(join(tempDataDir(), "nothing-here"), { production: false })).toBeUndefined();
  });
});

describe("the server process with the demo", () => {
  it("serves the built site at / and the API beside it", async () => {
    const server = await startServerProcess({ AUTH_DATA_DIR: tempDataDir(), AUTH_STORE_URL: "memory://", DEMO_DIR: writeSite() });
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(INDEX);
    expect(page.headers.get("content-security-policy")).toBe(SITE_CSP);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect(server.output()).toContain('"event":"demo_served"');
    await server.stop();
  });

  it("starts without a built site, says so once, and serves the API", async () => {
    const server = await startServerProcess({ AUTH_DATA_DIR: tempDataDir(), AUTH_STORE_URL: "memory://", DEMO_DIR: join(tempDataDir(), "no-dist") });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/`, { headers: { Accept: "text/html" } })).status).toBe(404);
    expect(server.output().match(/"event":"demo_missing"/g)).toHaveLength(1);
    await server.stop();
  });
});
