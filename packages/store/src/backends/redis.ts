import KeyvRedis from "@keyv/redis";
import { createClient, type RedisClientType } from "@redis/client";
import type { AtomicBackend } from "../backend.js";
import { createRedisCollections } from "./redis-collections.js";
import { script, type RunScript } from "./redis-script.js";

export interface RedisBackendOptions {
  url: string;
  /** Bounded latency during an outage: a command that gets no answer in this time fails. */
  commandTimeoutMs?: number;
}

// Counters keep Keyv's `{"value":n}` shape so they read back through Keyv too.
// The TTL is set only on create (KEEPTTL afterwards), as the other backends do.
const COUNT = `
local current = redis.call('GET', KEYS[1])
local count = tonumber(ARGV[1])
if current then
  count = cjson.decode(current).value + count
  redis.call('SET', KEYS[1], '{"value":' .. count .. '}', 'KEEPTTL')
else
  redis.call('SET', KEYS[1], '{"value":' .. count .. '}', 'PX', ARGV[2])
end`;
const INCREMENT = script(`${COUNT}
return count`);
// An absent KEYS[2] comes back as false, i.e. a null reply.
const INCREMENT_AND_READ = script(`${COUNT}
return {count, redis.call('GET', KEYS[2])}`);

// ARGV: expected ('' = absent), next ('' = delete), ttlMs ('' = keep TTL).
// Serialized values are never empty strings, so '' is free to mean "none".
const COMPARE_AND_SWAP = script(`
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
elseif ARGV[3] == '' then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1`);

/** The commands the backend sends; a single client and a cluster client both have them (the cluster routes by key). */
export type RedisCommander = Pick<RedisClientType, "get" | "set" | "getDel" | "evalSha" | "eval" | "hGet" | "unlink">;

export interface RedisConnection {
  commands: RedisCommander;
  /** The client Keyv's Redis adapter wraps (in cluster mode it groups reads by slot itself). */
  keyvClient: unknown;
  ping(): Promise<unknown>;
  close(): Promise<void>;
}

export const reconnectStrategy = (retries: number) => Math.min(50 * 2 ** retries, 2_000);

/**
 * Redis through @keyv/redis for Keyv's operations and the same client for the
 * atomic ones: native commands where one exists, a Lua script where not, so
 * every operation is atomic across all processes sharing the server.
 */
export async function createRedisBackend(options: RedisBackendOptions): Promise<AtomicBackend> {
  const { url, commandTimeoutMs = 2_000 } = options;
  const client = createClient({
    url,
    // Fail fast while disconnected instead of queueing requests behind an outage.
    disableOfflineQueue: true,
    socket: { connectTimeout: commandTimeoutMs, reconnectStrategy },
  });
  // Errors surface on the commands that fail; the event only needs a listener
  // so a dropped connection does not crash the process while it reconnects.
  client.on("error", () => {});
  await client.connect();
  const withTimeout = timeoutAfter(commandTimeoutMs);
  return redisBackendOver(
    {
      commands: client,
      keyvClient: client,
      ping: () => client.ping(),
      async close() {
        if (!client.isOpen) return;
        // A graceful close waits for a server that may be gone; past the timeout, drop the socket.
        if (client.isReady) await withTimeout(client.close()).catch(() => client.destroy());
        else client.destroy();
      },
    },
    withTimeout,
  );
}

/** Rejects when `operation` has not settled in `ms`: bounded latency while a server hangs. */
export function timeoutAfter(ms: number) {
  return <T>(operation: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("redis command timed out")), ms);
      operation.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
}

/** The backend over a connected client, single or cluster. */
export function redisBackendOver(connection: RedisConnection, withTimeout: <T>(operation: Promise<T>) => Promise<T>): AtomicBackend {
  const client = connection.commands;

  // EVALSHA sends 40 bytes instead of the script and spares Redis hashing it on every call; a Redis
  // that does not know the script yet (restarted, SCRIPT FLUSH, a new replica) gets it once via EVAL.
  const runScript: RunScript = async (script, keys, args) => {
    try {
      return await withTimeout(client.evalSha(script.sha, { keys, arguments: args }));
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
      return withTimeout(client.eval(script.source, { keys, arguments: args }));
    }
  };

  const keyvAdapter = new KeyvRedis(connection.keyvClient as never, { throwOnErrors: true, throwOnConnectError: true });
  const stringOrUndefined = (reply: unknown): string | undefined => (typeof reply === "string" ? reply : undefined);

  return {
    keyvAdapter,
    batchReads: true,
    collections: createRedisCollections(runScript, {
      hGet: (key, field) => withTimeout(client.hGet(key, field)),
      unlink: (keys) => withTimeout(client.unlink(keys)),
    }),
    guard: withTimeout,
    async getRaw(key) {
      return stringOrUndefined(await withTimeout(client.get(key)));
    },
    async setIfAbsent(key, raw, ttlMs) {
      const reply = await withTimeout(client.set(key, raw, ttlMs === undefined ? { NX: true } : { NX: true, PX: ttlMs }));
      return reply === "OK";
    },
    async take(key) {
      return stringOrUndefined(await withTimeout(client.getDel(key)));
    },
    async increment(key, by, ttlMs) {
      return Number(await runScript(INCREMENT, [key], [String(by), String(ttlMs)]));
    },
    async incrementAndRead(key, by, ttlMs, readKey) {
      const [count, read] = (await runScript(INCREMENT_AND_READ, [key, readKey], [String(by), String(ttlMs)])) as [number, string | null];
      return { count: Number(count), read: stringOrUndefined(read) };
    },
    async compareAndSwap(key, expected, next, ttlMs) {
      const reply = await runScript(COMPARE_AND_SWAP, [key], [expected ?? "", next ?? "", ttlMs === undefined ? "" : String(ttlMs)]);
      return Number(reply) === 1;
    },
    async ping() {
      await withTimeout(connection.ping());
    },
    close: () => connection.close(),
  };
}
