// What the SDK adds to an app's bundle: the built package minified as a bundler
// would ship it, gzipped; alone (tRPC is shared with the app's own client) and
// with @trpc/client. Run `pnpm --filter @gatehouse/client build` first.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const entry = new URL("../dist/index.js", import.meta.url).pathname;

async function gzippedBytes(external) {
  const result = await build({ entryPoints: [entry], bundle: true, minify: true, format: "esm", platform: "browser", write: false, external });
  const code = result.outputFiles[0].contents;
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
for (const [label, external] of [
  ["@gatehouse/client alone (@trpc/* external)", ["@trpc/client", "@trpc/server", "@trpc/server/*"]],
  ["@gatehouse/client with @trpc/client", []],
]) {
  const { minified, gzipped } = await gzippedBytes(external);
  console.log(`${label}: ${kb(minified)} minified, ${kb(gzipped)} gzipped`);
}
