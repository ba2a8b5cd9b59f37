import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const DEFAULT_PAGE_DIR = join(ROOT, "dist", "page");

/** Bundles the page (the client SDK and tRPC's client included) for the browser. */
export async function buildPage(outDir = DEFAULT_PAGE_DIR): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(ROOT, "src", "page", "main.ts")],
    outfile: join(outDir, "app.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    logLevel: "warning",
  });
  copyFileSync(join(ROOT, "src", "page", "index.html"), join(outDir, "index.html"));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildPage();
