import { describe, expect, it } from "vitest";
import { expectMistakesRefused, usePackedConsumer } from "./support/consumer-project.js";

// The SDK as a team outside this repository gets it (CONTRACT §7): full types, no server code, ESM.

const consumer = usePackedConsumer(import.meta.url, ["@trpc/client", "@trpc/server"]);

describe("the packed SDK", () => {
  it("is publishable: not private, ESM, with declarations", () => {
    const manifest = JSON.parse(consumer().readPacked("package.json")) as Record<string, unknown>;
    expect(manifest.private).toBeUndefined();
    expect(manifest.type).toBe("module");
    expect(manifest.exports).toEqual({ ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } });
    // @simplewebauthn/browser: imported on the first passkey call only (a chunk of its own in an app's bundle).
    expect(manifest.dependencies).toEqual({ "@trpc/client": expect.stringMatching(/^\^11\./), "@simplewebauthn/browser": "14.0.0" });
  });

  it("holds the built SDK and nothing of the server, not even in its declarations", () => {
    expect(consumer().packedFiles).toContain("dist/index.js");
    expect(consumer().packedFiles).toContain("dist/router.d.ts");
    for (const file of consumer().packedFiles) {
      expect(file, "only the build, the manifest and the README").toMatch(/^(dist\/[\w-]+\.(js|d\.ts)|package\.json|README\.md)$/);
      if (!file.startsWith("dist/")) continue;
      const text = consumer().readPacked(file);
      for (const server of ["@gatehouse/auth", "@gatehouse/store", "bcrypt", "keyv", "jose", "libsql", "pino", "zod"]) {
        expect(text.includes(server), `${file} mentions ${server}`).toBe(false);
      }
    }
  });

  it("installs outside the workspace and runs as an ES module", async () => {
    expect(
      await consumer().run(
        `import { createAuthClient, authLink } from "@gatehouse/client"; process.stdout.write(typeof createAuthClient + " " + typeof authLink);`,
      ),
    ).toBe("function function");
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

describe.each([true, false])("type-checked in the consumer's project (skipLibCheck: %s)", (skipLibCheck) => {
  it("good usage compiles: procedure inputs and outputs, PublicUser and the reasons are typed", async () => {
    const { code, output } = await consumer().compile({ "good.ts": GOOD }, { skipLibCheck });
    expect(output).toBe("");
    expect(code).toBe(0);
  }, 60_000);

  it("bad usage fails to compile, each mistake where it is made", async () => {
    await expectMistakesRefused(consumer(), PRELUDE, BAD, { skipLibCheck });
  }, 60_000);
});
