import { execFile, execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GOOD_PASSWORD, startGatehouse, uniqueEmail, type GatehouseUnderTest } from "./support/gatehouse-server.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const distDir = join(packageDir, "dist");

function filesIn(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(suffix))
    .map((name) => join(dir, name));
}

beforeAll(() => {
  // A clean build, as `pnpm build` makes it: stale files must not hide or fake anything.
  rmSync(distDir, { recursive: true, force: true });
  execFileSync(join(packageDir, "node_modules/.bin/tsc"), ["-p", "tsconfig.build.json"], { cwd: packageDir, stdio: "pipe" });
}, 120_000);

describe("the built client", () => {
  it("contains no server code: no bcrypt, keyv, jose, libsql or JWT signing, and no import of @gatehouse/auth", () => {
    const files = filesIn(distDir, ".js");
    expect(files.map((file) => file.slice(distDir.length + 1)).sort()).toContain("index.js");
    for (const file of files) {
      const code = readFileSync(file, "utf8");
      for (const forbidden of ["bcrypt", "keyv", "jose", "libsql", "SignJWT", "@gatehouse/auth", "@gatehouse/store", "node:"]) {
        expect(code.includes(forbidden), `${file} mentions ${forbidden}`).toBe(false);
      }
    }
  });

  it("imports only @trpc/client, @trpc/server/observable and its own modules, and @simplewebauthn/browser only when a passkey is used", () => {
    const code = filesIn(distDir, ".js").map((file) => readFileSync(file, "utf8"));
    const imported = code.flatMap((text) => [...text.matchAll(/\bfrom\s+"([^"]+)"/g)].map((m) => m[1]!));
    expect([...new Set(imported.filter((specifier) => !specifier.startsWith("./")))].sort()).toEqual(["@trpc/client", "@trpc/server/observable"]);
    // A dynamic import: bundlers split it into a chunk of its own, fetched on the first passkey call.
    const loadedLater = code.flatMap((text) => [...text.matchAll(/\bimport\s*\(\s*"([^"]+)"/g)].map((m) => m[1]!));
    expect(loadedLater).toEqual(["@simplewebauthn/browser"]);
  });

  it("never puts a token in Web Storage or a script-readable cookie, and never logs", () => {
    for (const file of filesIn(distDir, ".js")) {
      const code = readFileSync(file, "utf8");
      for (const forbidden of ["localStorage", "sessionStorage", "indexedDB", "console."]) {
        expect(code.includes(forbidden), `${file} mentions ${forbidden}`).toBe(false);
      }
      // Cookies are only read (the server's session hint), never written.
      expect(code, file).not.toMatch(/document\.cookie\s*(=[^=]|\+=)/);
      if (code.includes("document.cookie")) expect(file.endsWith("session-hint.js"), `${file} reads cookies`).toBe(true);
    }
  });

  it("ships declarations that stand alone: the router's types written out, nothing imported from the server", () => {
    const declarations = filesIn(distDir, ".d.ts");
    expect(declarations.map((file) => file.slice(distDir.length + 1))).toContain("router.d.ts");
    const imported = declarations.flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/\bfrom\s+"([^"]+)"|\bimport\("([^"]+)"\)/g)].map((m) => m[1] ?? m[2]),
    );
    expect(new Set(imported.filter((specifier) => !specifier?.startsWith("./")))).toEqual(new Set(["@trpc/client", "@trpc/server", "@trpc/server/observable"]));
  });
});

describe("the built client in Node", () => {
  let server: GatehouseUnderTest;
  beforeAll(async () => {
    server = await startGatehouse();
  });
  afterAll(() => server.close());

  it("runs on Node's global fetch, and a signed-in client does not keep the process alive", async () => {
    const script = `
      const { createAuthClient } = await import(${JSON.stringify(pathToFileURL(join(distDir, "index.js")).href)});
      const client = createAuthClient({ url: ${JSON.stringify(server.trpcUrl)}, mode: "token" });
      const { user } = await client.signup({ email: ${JSON.stringify(uniqueEmail())}, password: ${JSON.stringify(GOOD_PASSWORD)} });
      const { user: me } = await client.api.auth.me.query();
      process.stdout.write(me.id === user.id ? "ok" : "mismatch");
    `;
    const started = Date.now();
    // The refresh timer is set 12 minutes out; an un-unref'd timer would hold the process until the timeout kills it.
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { timeout: 15_000 });
    expect(stdout).toBe("ok");
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
