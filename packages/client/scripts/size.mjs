// What the SDK adds to an app's bundle: the built package minified as a bundler
// would ship it, gzipped; alone (tRPC is shared with the app's own client) and
// with @trpc/client. Code split as a bundler splits it: what a page loads with the
// SDK, and apart from it what loads on the first passkey call (a dynamic import).
// Run `pnpm --filter @gatehouse/client build` first.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const entry = new URL("../dist/index.js", import.meta.url).pathname;

async function sizes(external) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    splitting: true,
    outdir: "out",
    write: false,
    metafile: true,
    external,
  });
  const outputs = result.metafile.outputs;
  // The entry and every chunk it imports statically load with the SDK; the rest waits for its dynamic import.
  const loaded = new Set();
  const visit = (path) => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const imported of outputs[path].imports) if (imported.kind === "import-statement" && outputs[imported.path]) visit(imported.path);
  };
  visit(Object.keys(outputs).find((path) => outputs[path].entryPoint));
  const total = (files) =>
    files.reduce((sum, file) => ({ minified: sum.minified + file.contents.length, gzipped: sum.gzipped + gzipSync(file.contents, { level: 9 }).length }), {
      minified: 0,
      gzipped: 0,
    });
  const relative = (file) => file.path.slice(file.path.lastIndexOf("/out/") + 1);
  return {
    withSdk: total(result.outputFiles.filter((file) => loaded.has(relative(file)))),
    later: total(result.outputFiles.filter((file) => !loaded.has(relative(file)))),
  };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
for (const [label, external] of [
  ["@gatehouse/client alone (@trpc/* external)", ["@trpc/client", "@trpc/server", "@trpc/server/*"]],
  ["@gatehouse/client with @trpc/client", []],
]) {
  const { withSdk, later } = await sizes(external);
  console.log(`${label}: ${kb(withSdk.minified)} minified, ${kb(withSdk.gzipped)} gzipped; on the first passkey call ${kb(later.gzipped)} gzipped more`);
}
