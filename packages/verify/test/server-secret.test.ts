import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { startServerProcess, tempDataDir, type ServerProcess } from "../../../apps/server/test/server-process.js";
import { createVerifier } from "../src/index.js";

const running: ServerProcess[] = [];
const dataDirs: string[] = [];
afterAll(async () => {
  await Promise.all(running.map((server) => server.stop()));
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

async function tokenFromServer(env: Record<string, string>): Promise<string> {
  const dataDir = tempDataDir();
  dataDirs.push(dataDir);
  const server = await startServerProcess({ AUTH_STORE_URL: "memory://", AUTH_DATA_DIR: dataDir, ...env });
  running.push(server);
  const response = await fetch(`${server.url}/trpc/auth.signup`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Auth-Mode": "token" },
    body: JSON.stringify({ email: `secret.${Date.now()}@example.com`, password: "correct horse battery staple" }),
  });
  return ((await response.json()) as { result: { data: { accessToken: string } } }).result.data.accessToken;
}

describe("the secret as the server reads AUTH_JWT_SECRET", () => {
  // The real server, configured only by its environment: the verifier given the same string holds the same key.
  it.each([
    ["hex", randomBytes(32).toString("hex")],
    ["base64", randomBytes(33).toString("base64")],
    ["base64url", randomBytes(40).toString("base64url")],
  ])("verifies the server's tokens with the same %s string", async (_form, secret) => {
    const token = await tokenFromServer({ AUTH_JWT_SECRET: secret, AUTH_ISSUER: "acme-auth", AUTH_AUDIENCE: "acme-apis" });
    const verifier = createVerifier({ issuer: "acme-auth", audience: "acme-apis", secret });
    expect(await verifier.verify(token)).toMatchObject({ role: "user", userId: expect.any(String) });
  });
});
