import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it, onTestFinished } from "vitest";
import { z, ZodType } from "zod";
import { createCallContext } from "../src/context.js";
import { AuthError } from "../src/errors.js";
import { appRouter } from "../src/root.js";
import { procedures, router } from "../src/trpc.js";
import { callErrorShape, catalogOf } from "../src/trpc-internals.js";
import { startServer } from "./harness.js";

const SRC = join(import.meta.dirname, "../src");
const INTERNALS = /unstable-core-do-not-import|\b_def\b|\b_config\b/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

// The router's public shape: each key of a router is a procedure (callable) or a nested record;
// a router built by `router()` also carries its definition and `createCaller`.
function pathsOf(record: object, prefix = ""): string[] {
  return Object.entries(record)
    .filter(([key]) => key !== "_def" && key !== "createCaller")
    .flatMap(([key, value]) => (typeof value === "function" ? [`${prefix}${key}`] : pathsOf(value as object, `${prefix}${key}.`)));
}

const meta = { ip: "192.0.2.1", userAgent: "vitest", requestId: "req-internals" };

describe("tRPC internals", () => {
  it("are read in src/trpc-internals.ts only", () => {
    const users = sourceFiles(SRC)
      .filter((file) => INTERNALS.test(readFileSync(file, "utf8")))
      .map((file) => relative(SRC, file));
    expect(users).toEqual(["trpc-internals.ts"]);
  });

  it("the catalog lists a router's procedures, nested ones too, with their kind, meta and the very validators declared", () => {
    const input = z.strictObject({ email: z.string() });
    const output = z.strictObject({ ok: z.literal(true) });
    const unparsed = z.strictObject({ count: z.number() });
    const small = router({
      first: procedures.public
        .input(input)
        .output(output)
        .mutation(() => ({ ok: true as const })),
      nested: router({
        second: procedures.user.meta({ access: "user", unparsedOutput: unparsed }).query(() => ({ count: 1 })),
      }),
    });
    const [first, second, ...rest] = catalogOf(small);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ path: "first", kind: "mutation", meta: { access: "public" } });
    expect(first!.input).toBe(input);
    expect(first!.output).toBe(output);
    expect(second).toMatchObject({ path: "nested.second", kind: "query", meta: { access: "user", unparsedOutput: unparsed } });
    expect(second!.input).toBeUndefined();
    expect(second!.output).toBe(unparsed);
  });

  it("the catalog of the app's router names every procedure it serves, each with its access and validators", () => {
    const catalog = catalogOf(appRouter);
    expect(catalog.map((entry) => entry.path).sort()).toEqual(pathsOf(appRouter).sort());
    expect(catalog.map((entry) => entry.path)).toEqual(expect.arrayContaining(["auth.login", "auth.me", "mfa.enableTotp", "passkeys.register"]));
    for (const entry of catalog) {
      expect(entry.meta.access, entry.path).toEqual(expect.any(String));
      expect(["query", "mutation"], entry.path).toContain(entry.kind);
      if (entry.input !== undefined) expect(entry.input, entry.path).toBeInstanceOf(ZodType);
      expect(entry.output, entry.path).toBeInstanceOf(ZodType);
    }
  });

  it("an error body given before tRPC runs is the one tRPC gives for the same error", async () => {
    const server = await startServer();
    onTestFinished(() => server.close());
    const refusal = () => new AuthError("rate_limited", { message: "Too many requests; try again in 3 s.", retryAfterSeconds: 3 });
    const small = router({
      refused: procedures.public.mutation(() => {
        throw refusal();
      }),
    });
    const ctx = createCallContext(server.services, { meta });
    const response = await fetchRequestHandler({
      router: small,
      endpoint: "/trpc",
      req: new Request("http://gatehouse.invalid/trpc/refused", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
      createContext: () => ctx,
    });
    const fromTrpc = ((await response.json()) as { error: unknown }).error;
    expect(fromTrpc).toMatchObject({ data: { reason: "rate_limited", path: "refused", requestId: meta.requestId } });
    expect(JSON.parse(JSON.stringify(callErrorShape(small, refusal(), createCallContext(server.services, { meta }), "refused")))).toEqual(fromTrpc);
  });
});
