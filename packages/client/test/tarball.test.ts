import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The SDK as a team outside this repository gets it: `pnpm pack`, installed
// from the tarball into a fresh project in the system's temp dir, compiled
// with that project's own node_modules and nothing of the workspace's.

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(packageDir, "package.json"));
const tsc = require.resolve("typescript/bin/tsc");
const trpcVersion = (name: string): string => (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string }).version;

let project: string;
let tarball: string;
let unpacked: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "gatehouse-client-consumer-"));
  // `prepack` builds first, so the tarball holds what the source says now.
  execFileSync("pnpm", ["pack", "--pack-destination", project], { cwd: packageDir, stdio: "pipe" });
  tarball = readdirSync(project).find((name) => name.endsWith(".tgz"))!;
  unpacked = join(project, "unpacked");
  execFileSync("mkdir", [unpacked]);
  execFileSync("tar", ["xzf", join(project, tarball), "-C", unpacked]);

  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({
      name: "consumer",
      private: true,
      type: "module",
      // tRPC at the versions this repository installs, so the store already holds them (no network needed).
      dependencies: { "@gatehouse/client": `file:./${tarball}`, "@trpc/client": trpcVersion("@trpc/client"), "@trpc/server": trpcVersion("@trpc/server") },
    }),
  );
  // No peer auto-installed: the compiler is this repository's, run from outside.
  execFileSync("pnpm", ["install", "--prefer-offline", "--ignore-scripts", "--config.auto-install-peers=false"], { cwd: project, stdio: "pipe" });
}, 180_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

const packedFiles = (): string[] => readdirSync(join(unpacked, "package"), { recursive: true, encoding: "utf8" }).filter((name) => name.includes("."));

describe("the packed SDK", () => {
  it("is publishable: not private, ESM, with declarations", () => {
    const manifest = JSON.parse(readFileSync(join(unpacked, "package", "package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest.private).toBeUndefined();
    expect(manifest.type).toBe("module");
    expect(manifest.exports).toEqual({ ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } });
    expect(manifest.dependencies).toEqual({ "@trpc/client": expect.stringMatching(/^\^11\./) });
  });

  it("holds the built SDK and nothing of the server, not even in its declarations", () => {
    const files = packedFiles();
    expect(files).toContain("dist/index.js");
    expect(files).toContain("dist/router.d.ts");
    for (const file of files) {
      expect(file, "only the build, the manifest and the README").toMatch(/^(dist\/[\w-]+\.(js|d\.ts)|package\.json|README\.md)$/);
      if (file === "package.json" || file === "README.md") continue;
      const text = readFileSync(join(unpacked, "package", file), "utf8");
      for (const server of ["@gatehouse/auth", "@gatehouse/store", "bcrypt", "keyv", "jose", "libsql", "pino", "zod"]) {
        expect(text.includes(server), `${file} mentions ${server}`).toBe(false);
      }
    }
  });

  it("installs outside the workspace and runs as an ES module", async () => {
    const script = `import { createAuthClient, authLink } from "@gatehouse/client"; process.stdout.write(typeof createAuthClient + " " + typeof authLink);`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { cwd: project });
    expect(stdout).toBe("function function");
  });
});

// Code a team writes against the SDK: it compiles, with the router's types in full.
const GOOD = `
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import type { inferRouterInputs } from "@trpc/server";
import { authLink, createAuthClient, reasonOf, type AppRouter, type GatehouseReason, type PublicUser, type TokenSet } from "@gatehouse/client";

const auth = createAuthClient({ url: "https://auth.example.com/trpc" });

export async function profile(): Promise<PublicUser> {
  const { user } = await auth.api.auth.me.query();
  const role: "user" | "admin" = user.role;
  const verified: boolean = user.emailVerified;
  const created: string = user.createdAt;
  void [role, verified, created];
  return user;
}
export async function rename(name: string): Promise<string | null> {
  return (await auth.api.users.update.mutate({ name })).user.name;
}
export async function currentSessions(): Promise<boolean[]> {
  return (await auth.api.sessions.list.query()).map((session) => session.current);
}
export const expired = (error: unknown): boolean => reasonOf(error) === "token_expired";
export const stepUp: GatehouseReason = "reauth_required";
export const signup: inferRouterInputs<AppRouter>["auth"]["signup"] = { email: "ada@example.com", password: "correct horse battery staple" };
export const token = (tokens: TokenSet): string => tokens.accessToken;
export const own = createTRPCClient<AppRouter>({ links: [authLink(auth), httpBatchLink({ url: "/trpc", headers: auth.authHeaders })] });
`;

const PRELUDE = `import { createAuthClient, type GatehouseReason, type PublicUser } from "@gatehouse/client";\nconst auth = createAuthClient({ url: "/trpc" });\n`;

// Mistakes the types must catch, each on line 3 of its own file, with the error TypeScript gives for it.
const BAD: Array<[string, string, string]> = [
  ["a number for a PublicUser", "export const u: PublicUser = 42;", "TS2322"],
  ["a wrong input type", "export const renamed = auth.api.users.update.mutate({ name: 42 });", "TS2322"],
  ["a field the input does not have", `export const promoted = auth.api.users.update.mutate({ name: "x", role: "admin" });`, "TS2353"],
  ["a missing input field", `export const login = auth.api.auth.login.mutate({ email: "ada@example.com" });`, "TS2345"],
  ["a procedure that does not exist", "export const nothing = auth.api.auth.doesNotExist.query();", "TS2339"],
  ["an output used as the wrong type", "export const id = async (): Promise<number> => (await auth.api.auth.me.query()).user.id;", "TS2322"],
  ["a reason Gatehouse never gives", `export const reason: GatehouseReason = "not_a_reason";`, "TS2322"],
];

// ESNext.Disposable: tRPC's own declarations use Disposable, so any project checking them needs it.
function compile(files: string[], skipLibCheck: boolean): Promise<{ code: number; output: string }> {
  const config = {
    compilerOptions: { strict: true, target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2023", "ESNext.Disposable", "DOM"], types: [], noEmit: true, skipLibCheck },
    files,
  };
  writeFileSync(join(project, "tsconfig.json"), JSON.stringify(config));
  return promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.json", "--pretty", "false"], { cwd: project }).then(
    ({ stdout }) => ({ code: 0, output: stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout }),
  );
}

describe.each([true, false])("type-checked in the consumer's project (skipLibCheck: %s)", (skipLibCheck) => {
  it("good usage compiles: procedure inputs and outputs, PublicUser and the reasons are typed", async () => {
    writeFileSync(join(project, "good.ts"), GOOD);
    const { code, output } = await compile(["good.ts"], skipLibCheck);
    expect(output).toBe("");
    expect(code).toBe(0);
  }, 60_000);

  it("bad usage fails to compile, each mistake where it is made", async () => {
    const files = BAD.map(([, line], index) => {
      const file = `bad-${index}.ts`;
      writeFileSync(join(project, file), `${PRELUDE}${line}\n`);
      return file;
    });
    const { code, output } = await compile(files, skipLibCheck);
    expect(code).not.toBe(0);
    const errors = output.split("\n").filter((line) => line.includes("error TS"));
    // Every error is in the team's code: none in the SDK's declarations, none unexpected.
    for (const error of errors) expect(error).toMatch(/^bad-\d+\.ts\(3,/);
    BAD.forEach(([label, , expected], index) => {
      expect(errors.filter((error) => error.startsWith(`bad-${index}.ts(`)).map((error) => /error (TS\d+)/.exec(error)?.[1]), label).toContain(expected);
    });
  }, 60_000);
});
