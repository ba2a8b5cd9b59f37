import { describe, expect, it } from "vitest";
import { expectMistakesRefused, usePackedConsumer } from "../../client/test/support/consumer-project.js";

// @gatehouse/verify as a team's service in another repository installs it: jose its only dependency, tRPC a peer.

const consumer = usePackedConsumer(import.meta.url, ["@trpc/server", "@types/node"]);

describe("the packed verifier", () => {
  it("is publishable, ESM, and depends on jose only (tRPC an optional peer for the helpers)", () => {
    const manifest = JSON.parse(consumer().readPacked("package.json")) as Record<string, unknown>;
    expect(manifest.private).toBeUndefined();
    expect(manifest.type).toBe("module");
    expect(Object.keys(manifest.exports as object)).toEqual([".", "./trpc"]);
    expect(Object.keys(manifest.dependencies as object)).toEqual(["jose"]);
    expect(manifest.peerDependenciesMeta).toEqual({ "@trpc/server": { optional: true } });
  });

  it("holds its build only: nothing of the server, no bcrypt, no store", () => {
    for (const file of consumer().packedFiles) {
      expect(file).toMatch(/^(dist\/[\w-]+\.(js|d\.ts)|package\.json|README\.md)$/);
      if (!file.startsWith("dist/")) continue;
      for (const server of ["@gatehouse/auth", "@gatehouse/store", "bcrypt", "keyv", "libsql", "pino"])
        expect(consumer().readPacked(file).includes(server), `${file} mentions ${server}`).toBe(false);
    }
  });

  it("installs outside the workspace and runs", async () => {
    const script = `
      import { createVerifier } from "@gatehouse/verify";
      import { gatehouseProcedures } from "@gatehouse/verify/trpc";
      const verifier = createVerifier({ issuer: "gatehouse", audience: "gatehouse-api", secret: "${"ab".repeat(32)}" });
      const reason = await verifier.verify("Bearer not-a-token").catch((error) => error.reason);
      process.stdout.write(reason + " " + typeof gatehouseProcedures);`;
    expect(await consumer().run(script)).toBe("token_invalid function");
  });
});

// The README's service, as a team writes it.
const GOOD = `
import { initTRPC } from "@trpc/server";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import { createVerifier, VerifyError, type RefusalReason, type VerifiedUser } from "@gatehouse/verify";
import { gatehouseProcedures, type GatehouseContext } from "@gatehouse/verify/trpc";

declare const secret: string;
const verifier = createVerifier({ issuer: "gatehouse", audience: "gatehouse-api", secret, scopesByRole: { admin: ["notes:moderate"] } });
const t = initTRPC.context<GatehouseContext>().create();
const { authed, withScope, fresh } = gatehouseProcedures(t.procedure, verifier);
export const router = t.router({
  me: authed.query(({ ctx }): VerifiedUser => ctx.user),
  moderate: withScope("notes:moderate").mutation(({ ctx }) => ctx.user.role),
  purge: fresh(300).mutation(({ ctx }) => ctx.user.authTime),
});
createHTTPServer({ router, createContext: ({ req }) => ({ authorization: req.headers.authorization }) }).listen(4000);
export const reasonOf = (error: unknown): RefusalReason | undefined => (error instanceof VerifyError ? error.reason : undefined);
`;

const PRELUDE = `import { createVerifier, VerifyError } from "@gatehouse/verify";\nimport { gatehouseProcedures, type GatehouseContext } from "@gatehouse/verify/trpc";\n`;
const BAD: Array<[string, string, string]> = [
  ["no audience", `export const v = createVerifier({ issuer: "gatehouse", secret: "x" });`, "TS2345"],
  ["a reason that does not exist", `export const same = (e: VerifyError) => e.reason === "expired";`, "TS2367"],
  [
    "a context without the header",
    `export const p = (t: import("@trpc/server").TRPCRootObject<{ user: string }, object, object>) => gatehouseProcedures(t.procedure, createVerifier({ issuer: "a", audience: "b", secret: "c" }));`,
    "TS2345",
  ],
];

describe.each([true, false])("type-checked in the consumer's project (skipLibCheck: %s)", (skipLibCheck) => {
  it("the README's service compiles", async () => {
    const { code, output } = await consumer().compile({ "service.ts": GOOD }, { skipLibCheck, types: ["node"] });
    expect(output).toBe("");
    expect(code).toBe(0);
  }, 60_000);

  it("mistakes fail to compile where they are made", async () => {
    await expectMistakesRefused(consumer(), PRELUDE, BAD, { skipLibCheck, types: ["node"] });
  }, 60_000);
});
