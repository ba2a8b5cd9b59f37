import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The layer rule lives in the root eslint.config.js; these lint made-up modules against it.
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const eslint = new ESLint({ cwd: repoRoot, overrideConfigFile: `${repoRoot}eslint.config.js` });

async function messagesOf(file: string, code: string, rule: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}packages/auth/src/${file}` });
  return result!.messages.filter((m) => m.ruleId === rule).map((m) => m.message);
}

const restrictedImports = (file: string, code: string) => messagesOf(file, code, "no-restricted-imports");
const NO_LAYER = "This module is in no layer";

describe("the layers of packages/auth/src", () => {
  it.each([
    [
      "events/events.ts",
      'import type { AuditTrail } from "../features/audit/audit-trail.js";\nexport type T = AuditTrail;\n',
      "infrastructure layer must not import the feature layer",
    ],
    ["trpc.ts", 'import type { Services } from "./services.js";\nexport type T = Services;\n', "procedure layer must not import the composition layer"],
    [
      "rate-limit/limiter.ts",
      'import type { Context } from "../context.js";\nexport type T = Context;\n',
      "infrastructure layer must not import the procedure layer",
    ],
    [
      "features/sessions/transport.ts",
      'import type { Reply } from "../../http/reply.js";\nexport type T = Reply;\n',
      "feature layer must not import the http layer",
    ],
    ["http/csrf.ts", 'import { x } from "../index.js";\nexport const y = x;\n', "http layer must not import the entry layer"],
  ])("refuses an upward import in %s", async (file, code, message) => {
    expect(await restrictedImports(file, code)).toEqual([expect.stringContaining(message)]);
  });

  it("refuses a feature's router anywhere but root.ts", async () => {
    const code = 'import { activityRouter } from "../activity/router.js";\nexport const r = activityRouter;\n';
    expect(await restrictedImports("features/admin/router.ts", code)).toEqual([expect.stringContaining("Only root.ts imports a feature's router")]);
    expect(await restrictedImports("root.ts", 'import { activityRouter } from "./features/activity/router.js";\nexport const r = activityRouter;\n')).toEqual(
      [],
    );
  });

  it("refuses every import of its package in a module that is in no layer", async () => {
    expect(await restrictedImports("sso/new-module.ts", 'import { AuthError } from "../errors.js";\nexport const e = AuthError;\n')).toEqual([
      expect.stringContaining(NO_LAYER),
    ]);
  });

  it("places every module in a layer", async () => {
    const modules = readdirSync(`${repoRoot}packages/auth/src`, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts"));
    const unplaced: string[] = [];
    for (const file of modules) {
      const config = (await eslint.calculateConfigForFile(`${repoRoot}packages/auth/src/${file}`)) as { rules?: Record<string, unknown> };
      if (JSON.stringify(config.rules?.["no-restricted-imports"]).includes(NO_LAYER)) unplaced.push(file);
    }
    expect(modules.length).toBeGreaterThan(100);
    expect(unplaced).toEqual([]);
  });

  it("refuses the package's own entry points and dynamic imports, which would hide an upward import", async () => {
    expect(
      await restrictedImports(
        "features/admin/router.ts",
        'import { createGatehouseServer } from "@gatehouse/auth";\nexport const c = createGatehouseServer;\n',
      ),
    ).toEqual([expect.stringContaining("not the package's entry points")]);
    expect(await restrictedImports("features/users/user-store.ts", 'export type { CallContextOptions } from "@gatehouse/auth/testing";\n')).toEqual([
      expect.stringContaining("not the package's entry points"),
    ]);
    expect(await messagesOf("features/sessions/transport.ts", 'export const reply = () => import("../../http/reply.js");\n', "no-restricted-syntax")).toEqual([
      expect.stringContaining("Import statically"),
    ]);
  });

  it("lets imports run down and across a layer", async () => {
    expect(
      await restrictedImports(
        "features/admin/router.ts",
        'import { pageInput } from "../activity/schema.js";\nimport { procedures } from "../../trpc.js";\nexport const x = [pageInput, procedures];\n',
      ),
    ).toEqual([]);
    expect(
      await restrictedImports(
        "services.ts",
        'import { createProviderClients } from "./features/oauth/providers/index.js";\nexport const c = createProviderClients;\n',
      ),
    ).toEqual([]);
    expect(await restrictedImports("http/csrf.ts", 'import { parseCookies } from "../cookies.js";\nexport const p = parseCookies;\n')).toEqual([]);
  });
});
