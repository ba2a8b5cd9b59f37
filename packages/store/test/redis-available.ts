import { createClient } from "@redis/client";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Redis tests run whenever Redis answers. Outside CI they may skip with a
 * message; under CI=true a missing Redis is a failure, never a silent skip.
 */
export async function redisAvailable(): Promise<boolean> {
  const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 1_000, reconnectStrategy: false } });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
    await client.quit();
    return true;
  } catch {
    if (process.env.CI === "true") {
      throw new Error(`CI=true but no Redis answers at ${REDIS_URL}; start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""`);
    }
    console.warn(`Skipping Redis tests: no Redis answers at ${REDIS_URL}.`);
    return false;
  }
}
