import { connect } from "node:net";

/**
 * Selects the database named in `url` (redis://HOST:PORT/DB) and flushes it,
 * speaking RESP over a plain socket (the bench has no Redis client of its own).
 * Resolves false when Redis does not answer within `timeoutMs`.
 */
export function flushRedisDatabase(url: string, timeoutMs = 1_500): Promise<boolean> {
  const parsed = new URL(url);
  const db = parsed.pathname.replace(/^\//, "") || "0";
  const command = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
  const auth = parsed.password ? command("AUTH", ...(parsed.username ? [decodeURIComponent(parsed.username)] : []), decodeURIComponent(parsed.password)) : "";
  const expected = parsed.password ? 3 : 2;
  return new Promise((resolve) => {
    const socket = connect({ host: parsed.hostname || "127.0.0.1", port: Number(parsed.port || 6379) });
    let answer = "";
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on("error", () => finish(false));
    // ASYNC: the keys are gone at once and freed in the background, so a database of millions answers in time.
    socket.on("connect", () => socket.write(auth + command("SELECT", db) + command("FLUSHDB", "ASYNC")));
    socket.on("data", (chunk) => {
      answer += chunk.toString("utf8");
      const replies = answer.split("\r\n").filter(Boolean);
      if (replies.some((r) => r.startsWith("-"))) finish(false);
      else if (replies.length >= expected) finish(replies.every((r) => r === "+OK"));
    });
  });
}

/**
 * `used_memory` from INFO (bytes, the whole server), over a plain socket like
 * the flush above; undefined when Redis does not answer.
 */
export function redisUsedMemory(url: string, timeoutMs = 1_500): Promise<number | undefined> {
  const parsed = new URL(url);
  const auth = parsed.password
    ? `*${parsed.username ? 3 : 2}\r\n$4\r\nAUTH\r\n${[...(parsed.username ? [decodeURIComponent(parsed.username)] : []), decodeURIComponent(parsed.password)].map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`
    : "";
  return new Promise((resolve) => {
    const socket = connect({ host: parsed.hostname || "127.0.0.1", port: Number(parsed.port || 6379) });
    let answer = "";
    const finish = (value: number | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on("error", () => finish(undefined));
    socket.on("connect", () => socket.write(`${auth}*2\r\n$4\r\nINFO\r\n$6\r\nmemory\r\n`));
    socket.on("data", (chunk) => {
      answer += chunk.toString("utf8");
      if (answer.startsWith("-") || answer.includes("\r\n-")) return finish(undefined);
      const match = /used_memory:(\d+)\r\n/.exec(answer);
      if (match) finish(Number(match[1]));
    });
  });
}
