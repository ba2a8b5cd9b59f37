import { randomUUID } from "node:crypto";
import { createClient } from "@redis/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, tempDataDir, type ServerProcess } from "./server-process.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
// Keys of this run only: other runs share the database, so it is never flushed.
const PREFIX = `test-growth-${randomUUID()}:`;

async function redisAnswers(): Promise<boolean> {
  const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 1_000, reconnectStrategy: false } });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.close();
    return true;
  } catch {
    if (process.env.CI === "true") throw new Error(`CI=true but no Redis answers at ${REDIS_URL}`);
    console.warn(`Skipping growth tests: no Redis answers at ${REDIS_URL}.`);
    return false;
  }
}

/** Deletes this run's keys: plain ones start with the prefix, collections' with `{` and the prefix. */
async function deleteRunKeys(): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  for (const match of [`${PREFIX}*`, `{${PREFIX}*`]) {
    for await (const keys of client.scanIterator({ MATCH: match, COUNT: 1000 })) if (keys.length > 0) await client.unlink(keys);
  }
  await client.close();
}

const hasRedis = await redisAnswers();
const SIGNUPS_PER_INSTANCE = 400;
const IN_FLIGHT = 64;

describe.skipIf(!hasRedis)("two server processes on one Redis under concurrent signups", () => {
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    const env = {
      AUTH_STORE_URL: REDIS_URL,
      AUTH_STORE_PREFIX: PREFIX,
      AUTH_JWT_SECRET: Buffer.alloc(32, 7).toString("base64"),
      ADMIN_EMAIL: "ops@example.com",
      ADMIN_PASSWORD: "an operator passphrase",
      AUTH_LIMITS: JSON.stringify({ "signup.ip": "100000/1m", "login.ip": "1000/1m", default: "100000/1m" }),
    };
    [a, b] = await Promise.all([startServerProcess({ ...env, AUTH_DATA_DIR: tempDataDir() }), startServerProcess({ ...env, AUTH_DATA_DIR: tempDataDir() })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    if (hasRedis) await deleteRunKeys();
  });

  const post = async (server: ServerProcess, procedure: string, input: unknown) => {
    const res = await fetch(`${server.url}/trpc/${procedure}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Auth-Mode": "token" },
      body: JSON.stringify(input),
    });
    return { status: res.status, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const get = async (server: ServerProcess, procedure: string, input: unknown, token: string) => {
    const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    const res = await fetch(`${server.url}/trpc/${procedure}${query}`, { headers: { Authorization: `Bearer ${token}` } });
    return ((await res.json()) as any).result.data; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  /** `total` signups on one server, `IN_FLIGHT` at a time; the status and user id of each. */
  async function signUpMany(server: ServerProcess, label: string, total: number) {
    const results: Array<{ status: number; id: string | undefined }> = [];
    let next = 0;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const { status, body } = await post(server, "auth.signup", { email: `${label}-${i}@example.com`, password: "a long enough passphrase" });
        results.push({ status, id: body.result?.data?.user?.id });
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    return results;
  }

  it(
    `answers all ${2 * SIGNUPS_PER_INSTANCE} signups (2 × ${IN_FLIGHT} in flight), lists every user once and loses no audit entry`,
    { timeout: 120_000 },
    async () => {
      const results = (await Promise.all([signUpMany(a, "growth-a", SIGNUPS_PER_INSTANCE), signUpMany(b, "growth-b", SIGNUPS_PER_INSTANCE)])).flat();
      expect(results.filter((r) => r.status !== 200)).toEqual([]);
      const created = new Set(results.map((r) => r.id!));
      expect(created.size).toBe(2 * SIGNUPS_PER_INSTANCE);

      const admin = (await post(a, "auth.login", { email: "ops@example.com", password: "an operator passphrase" })).body.result.data.accessToken as string;
      const listed: string[] = [];
      for (let cursor: string | null | undefined; cursor !== null;) {
        const page = await get(cursor ? a : b, "admin.listUsers", { limit: 100, ...(cursor ? { cursor } : {}) }, admin);
        listed.push(...page.items.map((u: { id: string }) => u.id));
        cursor = page.nextCursor;
      }
      expect(listed).toHaveLength(created.size + 1);
      expect(new Set(listed).size).toBe(listed.length);

      // Every signup and the admin's login, each once, in one unbroken chain.
      expect(await get(b, "admin.verifyAuditLog", undefined, admin)).toEqual({ ok: true, checked: created.size + 1 });
      const signedUp: string[] = [];
      for (let cursor: string | null | undefined; cursor !== null;) {
        const page = await get(a, "admin.auditLog", { limit: 100, ...(cursor ? { cursor } : {}) }, admin);
        signedUp.push(...page.items.filter((e: { action: string }) => e.action === "signup").map((e: { target: string }) => e.target));
        cursor = page.nextCursor;
      }
      expect(signedUp.sort()).toEqual([...created].sort());
    },
  );
});
