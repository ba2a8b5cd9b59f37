import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { setSecurityHeaders } from "@gatehouse/auth";

/** Where the demo's build lands in this monorepo, found from this file (src/ or dist/ alike). */
export const DEFAULT_SITE_DIR = fileURLToPath(new URL("../../demo/dist/", import.meta.url));

/**
 * The pages' policy: everything from this origin only, images also as data:
 * URLs (the QR code), no inline script or style, never framed. The API keeps
 * its own `default-src 'none'`.
 */
export const SITE_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
};

/** Paths that belong to the API whatever files the site has. */
const API_PATH = /^\/(trpc|oauth|health|\.well-known|openapi\.json)(\/|$)/;
/** Vite's content-hashed build output: a new build gets new names, so these never change. */
const HASHED_ASSET = /^\/assets\/.+-[\w-]{8,}\.\w+$/;
const IMMUTABLE = "public, max-age=31536000, immutable";

interface SiteFile {
  body: Buffer;
  contentType: string;
  etag: string;
  cacheControl: string;
}

export interface StaticSite {
  readonly dir: string;
  readonly fileCount: number;
  /**
   * Answers a GET or HEAD for one of the site's files (or the app's page, for a
   * browser navigating to a path that is not a file) and returns true; returns
   * false, having touched nothing, for everything the API should answer.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

export interface StaticSiteOptions {
  /** Adds Strict-Transport-Security, as the API does in production. */
  production: boolean;
  /** Called once per answered request (status, duration), for the request log. */
  onResponse?: (info: { method: string; path: string; status: number; durationMs: number }) => void;
}

/**
 * Loads the built site into memory (it is small, and one snapshot keeps the
 * page and its assets consistent even if a rebuild happens underneath).
 * Resolves to undefined when the directory has no index.html.
 */
export async function loadStaticSite(dir: string, options: StaticSiteOptions): Promise<StaticSite | undefined> {
  const files = new Map<string, SiteFile>();
  try {
    if (!(await stat(join(dir, "index.html"))).isFile()) return undefined;
  } catch {
    return undefined;
  }
  await collect(dir, "/", files);
  const index = files.get("/index.html");
  if (!index) return undefined;

  return {
    dir,
    fileCount: files.size,
    handle(req, res) {
      if (req.method !== "GET" && req.method !== "HEAD") return false;
      const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
      if (API_PATH.test(rawPath)) return false;
      const path = decodePath(rawPath);
      // Malformed or escaping paths are refused: the API's 404 answers them.
      if (path === undefined) return false;
      const file = files.get(path === "/" ? "/index.html" : path) ?? (isNavigation(req, path) ? index : undefined);
      if (!file) return false;
      send(req, res, rawPath, file, options);
      return true;
    },
  };
}

async function collect(dir: string, urlDir: string, files: Map<string, SiteFile>): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    // No dotfiles, and symlinks are not followed: only what the build wrote is served.
    if (entry.name.startsWith(".")) continue;
    const full = join(dir, entry.name);
    const urlPath = posix.join(urlDir, entry.name);
    if (entry.isDirectory()) await collect(full, `${urlPath}/`, files);
    else if (entry.isFile()) files.set(urlPath, siteFile(urlPath, await readFile(full)));
  }
}

function siteFile(urlPath: string, body: Buffer): SiteFile {
  const contentType = CONTENT_TYPES[extname(urlPath).toLowerCase()] ?? "application/octet-stream";
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  // The page must be revalidated each time (it names the current assets); hashed assets never change.
  const cacheControl = HASHED_ASSET.test(urlPath) ? IMMUTABLE : "no-cache";
  return { body, contentType, etag, cacheControl };
}

/** The decoded path, or undefined for bad encoding, NUL, backslashes and `.`/`..` segments. */
function decodePath(rawPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (!path.startsWith("/") || path.includes("\0") || path.includes("\\")) return undefined;
  if (path.split("/").some((segment) => segment === "." || segment === "..")) return undefined;
  return path;
}

/**
 * A browser opening a page of the app (a path without a file extension, asking
 * for HTML) gets the app, which shows what belongs there. Other clients keep
 * the API's 404 for unknown paths.
 */
function isNavigation(req: IncomingMessage, path: string): boolean {
  const last = path.slice(path.lastIndexOf("/") + 1);
  return !last.includes(".") && String(req.headers.accept ?? "").includes("text/html");
}

function send(req: IncomingMessage, res: ServerResponse, path: string, file: SiteFile, options: StaticSiteOptions): void {
  const started = process.hrtime.bigint();
  setSecurityHeaders(res, { production: options.production, contentSecurityPolicy: SITE_CSP });
  res.setHeader("Content-Type", file.contentType);
  res.setHeader("Cache-Control", file.cacheControl);
  res.setHeader("ETag", file.etag);
  if (req.headers["if-none-match"] === file.etag) {
    res.statusCode = 304;
    res.end();
  } else {
    res.statusCode = 200;
    res.setHeader("Content-Length", file.body.length);
    res.end(req.method === "HEAD" ? undefined : file.body);
  }
  options.onResponse?.({ method: req.method ?? "GET", path, status: res.statusCode, durationMs: Number(process.hrtime.bigint() - started) / 1e6 });
}
