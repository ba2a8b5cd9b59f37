import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect } from "vitest";

/**
 * A package as a team outside this repository gets it: `pnpm pack`, installed
 * from the tarball into a fresh project in the system's temp dir, compiled and
 * run with that project's own node_modules and nothing of the workspace's.
 */
export interface ConsumerProject {
  dir: string;
  /** The tarball's files, relative to its `package/` folder. */
  packedFiles: string[];
  readPacked(file: string): string;
  /** Writes `files` into the project and type-checks them alone. */
  compile(files: Record<string, string>, options: { skipLibCheck: boolean; types?: string[] }): Promise<{ code: number; output: string }>;
  /** Runs an ES module script in the project, as `node --input-type=module -e`. */
  run(script: string): Promise<string>;
  remove(): void;
}

/** The version of a package this repository installs for `packageDir`: the store holds it, so no download is needed. */
export function installedVersion(packageDir: string, name: string): string {
  const require = createRequire(join(packageDir, "package.json"));
  return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string }).version;
}

export function packIntoConsumer(packageDir: string, dependencies: Record<string, string>): ConsumerProject {
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-consumer-"));
  // `prepack` builds first, so the tarball holds what the source says now.
  execFileSync("pnpm", ["pack", "--pack-destination", dir], { cwd: packageDir, stdio: "pipe" });
  const tarball = readdirSync(dir).find((name) => name.endsWith(".tgz"))!;
  const unpacked = join(dir, "unpacked");
  mkdirSync(unpacked);
  execFileSync("tar", ["xzf", join(dir, tarball), "-C", unpacked]);
  const manifest = JSON.parse(readFileSync(join(unpacked, "package", "package.json"), "utf8")) as { name: string };

  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module", dependencies: { [manifest.name]: `file:./${tarball}`, ...dependencies } }),
  );
  // No peer auto-installed: the compiler is this repository's, run from outside.
  execFileSync("pnpm", ["install", "--prefer-offline", "--ignore-scripts", "--config.auto-install-peers=false"], { cwd: dir, stdio: "pipe" });

  const tsc = createRequire(join(packageDir, "package.json")).resolve("typescript/bin/tsc");
  return {
    dir,
    packedFiles: readdirSync(join(unpacked, "package"), { recursive: true, encoding: "utf8" }).filter((name) => name.includes(".")),
    readPacked: (file) => readFileSync(join(unpacked, "package", file), "utf8"),
    compile(files, { skipLibCheck, types = [] }) {
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      const config = {
        // ESNext.Disposable: tRPC's own declarations use Disposable, so any project checking them needs it.
        compilerOptions: {
          strict: true,
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2023", "ESNext.Disposable", "DOM"],
          types,
          noEmit: true,
          skipLibCheck,
        },
        files: Object.keys(files),
      };
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(config));
      return promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.json", "--pretty", "false"], { cwd: dir }).then(
        ({ stdout }) => ({ code: 0, output: stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout }),
      );
    },
    async run(script) {
      return (await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { cwd: dir })).stdout;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The package a test file belongs to (the folder above `testFileUrl`'s), packed
 * and installed into a consumer project before the file's tests with
 * `dependencies` at the versions installed here, and removed after them.
 */
export function usePackedConsumer(testFileUrl: string, dependencies: readonly string[]): () => ConsumerProject {
  const packageDir = join(dirname(fileURLToPath(testFileUrl)), "..");
  let consumer: ConsumerProject | undefined;
  beforeAll(() => {
    consumer = packIntoConsumer(packageDir, Object.fromEntries(dependencies.map((name) => [name, installedVersion(packageDir, name)])));
  }, 180_000);
  afterAll(() => consumer?.remove());
  return () => {
    if (!consumer) throw new Error("the consumer project is read before beforeAll packed it");
    return consumer;
  };
}

/**
 * Compiles each mistake (a line after `prelude`, in a file of its own) in the
 * consumer project, and expects every one to fail with its own error code, and
 * no error anywhere but in the mistakes' files (none in the package's declarations).
 */
export async function expectMistakesRefused(
  consumer: ConsumerProject,
  prelude: string,
  mistakes: ReadonlyArray<readonly [label: string, line: string, expected: string]>,
  options: { skipLibCheck: boolean; types?: string[] },
): Promise<void> {
  const files = Object.fromEntries(mistakes.map(([, line], index) => [`bad-${index}.ts`, `${prelude}${line}\n`]));
  const { code, output } = await consumer.compile(files, options);
  expect(code).not.toBe(0);
  const errors = output.split("\n").filter((line) => line.includes("error TS"));
  const preludeLines = prelude.split("\n").length;
  for (const error of errors) expect(error).toMatch(new RegExp(`^bad-\\d+\\.ts\\(${preludeLines},`));
  mistakes.forEach(([label, , expected], index) => {
    expect(
      errors.filter((error) => error.startsWith(`bad-${index}.ts(`)).map((error) => /error (TS\d+)/.exec(error)?.[1]),
      label,
    ).toContain(expected);
  });
}
