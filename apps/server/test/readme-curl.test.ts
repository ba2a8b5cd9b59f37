import { execFile, spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, tempDataDir, type ServerProcess } from "./server-process.js";

const README = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
const API_LINE = "API=http://127.0.0.1:3000/trpc";

/** The first ```sh block under a heading of the README, as a person would copy it. */
function shellBlockUnder(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no "${heading}"`);
  const match = /\n```sh\n([\s\S]*?)\n```\n/.exec(README.slice(start));
  if (!match) throw new Error(`no sh block under "${heading}"`);
  return match[1]!;
}

/** Outside CI the test skips with a message when a tool is missing; under CI=true it must run. */
function toolsPresent(): boolean {
  const missing = ["bash", "curl", "jq"].filter((tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0);
  if (missing.length === 0) return true;
  if (process.env.CI === "true") throw new Error(`CI=true but ${missing.join(", ")} not installed (.ci/run installs them)`);
  console.warn(`Skipping the README curl test: ${missing.join(", ")} not installed.`);
  return false;
}

function bash(script: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("bash", ["-c", script], { cwd, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe.skipIf(!toolsPresent())("README's curl blocks, pasted into bash against a live server", () => {
  let server: ServerProcess;
  let workDir: string;
  beforeAll(async () => {
    workDir = tempDataDir();
    server = await startServerProcess({ AUTH_DATA_DIR: workDir, AUTH_STORE_URL: "memory://" });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  const blocks = { token: shellBlockUnder("### Token mode (mobile apps, CLIs, servers)"), cookie: shellBlockUnder("### Cookie mode (browsers; the default)") };

  it("have no placeholders and point at the default address", () => {
    for (const block of Object.values(blocks)) {
      expect(block).not.toContain("…");
      expect(block.split("\n")[0]).toBe(API_LINE);
    }
  });

  it("run: sign up, log in with the tokens captured by jq, read, refresh and log out; then cookie mode", async () => {
    // Only the address is changed (the server listens on a free port); the rest runs as written.
    const atServer = (block: string) => block.replace(API_LINE, `API=${server.url}/trpc`);
    const tokenFile = join(workDir, "tokens.txt");
    const script = [
      "set -euo pipefail",
      atServer(blocks.token),
      `printf '%s\\n' "$ACCESS" "$REFRESH" "$DEVICE" > '${tokenFile}'`,
      atServer(blocks.cookie),
    ].join("\n");
    const { code, stdout, stderr } = await bash(script, workDir);
    expect(stderr).toBe("");
    expect(code).toBe(0);

    // Each `jq .` printed one answer; none of them an error.
    const answers = stdout
      .trim()
      .split(/\n(?=\{)/)
      .map((text) => JSON.parse(text) as { result?: { data?: Record<string, unknown> }; error?: unknown });
    expect(answers.filter((answer) => answer.error)).toEqual([]);
    const [signup, me, activity, logout, cookieLogin, cookieRefresh] = answers.map((answer) => answer.result!.data!);
    expect(answers).toHaveLength(6);
    expect(signup).toMatchObject({ tokenType: "Bearer", user: { email: "ada@example.com", name: "Ada" }, deviceToken: expect.any(String) });
    expect(me).toMatchObject({ user: { email: "ada@example.com" } });
    expect(activity).toMatchObject({ items: expect.any(Array) });
    expect(logout).toEqual({ ok: true });
    expect(cookieLogin).not.toHaveProperty("refreshToken");
    expect(cookieRefresh).toMatchObject({ accessToken: expect.any(String) });

    // The captured tokens were real: the refreshed pair is what logout ended.
    const [access, refresh, device] = readFileSync(tokenFile, "utf8").trim().split("\n");
    expect(device).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const meAfter = await fetch(`${server.url}/trpc/auth.me`, { headers: { Authorization: `Bearer ${access}` } });
    expect(((await meAfter.json()) as { error: { data: { reason: string } } }).error.data.reason).toBe("token_revoked");
    const refreshAfter = await fetch(`${server.url}/trpc/auth.refresh`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Auth-Mode": "token" },
      body: JSON.stringify({ refreshToken: refresh }),
    });
    expect(((await refreshAfter.json()) as { error: { data: { reason: string } } }).error.data.reason).toBe("refresh_invalid");
  });
});
