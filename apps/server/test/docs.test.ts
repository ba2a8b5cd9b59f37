import { readFileSync } from "node:fs";
import { appRouter, REASONS, type Reason } from "@gatehouse/auth";
import { catalogOf, statusOfReason, type CatalogEntry } from "@gatehouse/auth/testing";
import { describe, expect, it } from "vitest";
import { envSchema } from "../src/env.js";

const API_MD = readFileSync(new URL("../../../docs/API.md", import.meta.url), "utf8");
const README = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

/** The text between a heading and the next heading. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const rest = markdown.slice(start + heading.length + 2);
  const end = rest.search(/\n#+ /);
  return end < 0 ? rest : rest.slice(0, end);
}

/** Table rows as cells, header and separator rows left out. */
const rows = (markdown: string): string[][] =>
  markdown
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| ---"))
    .map((line) => line.slice(2, -2).split(/ (?<!\\)\| /));

const ACCESS_WORDS = { public: "public", refresh_token: "refresh token", session: "access or refresh token", user: "user", admin: "admin" } as const;

/** How the reference writes a procedure's access (see its Procedures section). */
function accessText({ meta }: CatalogEntry): string {
  if (meta.access === "api_key") return `API key \`${meta.apiKeyScope}\``;
  return ACCESS_WORDS[meta.access] + (meta.apiKeyScope ? ` or API key \`${meta.apiKeyScope}\`` : "") + (meta.stepUp ? " + step-up" : "");
}

describe("docs/API.md, checked against the code", () => {
  it("lists every procedure of the router, and no other, with its kind and access", () => {
    const documented = new Map(
      rows(section(API_MD, "## Procedures"))
        .filter((cells) => /^`\w+\.\w+`$/.test(cells[0]!))
        .map((cells) => [cells[0]!.slice(1, -1), cells]),
    );
    const catalog = catalogOf(appRouter);
    expect([...documented.keys()].sort()).toEqual(catalog.map((entry) => entry.path).sort());
    for (const entry of catalog) {
      const [, kind, access] = documented.get(entry.path)!;
      expect({ kind, access }, entry.path).toEqual({ kind: entry.kind, access: accessText(entry) });
    }
  });

  it("lists every reason of the reason table, and no other, with its HTTP status", () => {
    const documented = new Map(
      rows(section(API_MD, "## Errors"))
        .filter(([reason]) => /^`[a-z_]+`$/.test(reason!))
        .map(([reason, status]) => [reason!.slice(1, -1), Number(status)]),
    );
    expect([...documented.keys()].sort()).toEqual(Object.keys(REASONS).sort());
    for (const reason of Object.keys(REASONS) as Reason[]) expect(documented.get(reason), reason).toBe(statusOfReason(reason));
  });

  it("lists every environment variable env.ts reads, and no other", () => {
    const documented = rows(section(API_MD, "## Environment")).flatMap(([names]) => [...names!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
    expect(documented.sort()).toEqual(Object.keys(envSchema.shape).sort());
  });
});

describe("README.md", () => {
  it("links the repository's own reference, never a file outside the repository", () => {
    expect(README).toContain("](docs/API.md)");
    expect(README).not.toMatch(/\.\.\/shared|CONTRACT/);
  });

  it("has an error table with every reason", () => {
    const listed = new Set(rows(section(README, "### Errors worth handling")).flatMap(([reasons]) => [...reasons!.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!)));
    expect(Object.keys(REASONS).filter((reason) => !listed.has(reason))).toEqual([]);
  });
});
