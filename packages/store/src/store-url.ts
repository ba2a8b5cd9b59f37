/** Where an `AUTH_STORE_URL` points. */
export type StoreLocation =
  | { kind: "memory" }
  | { kind: "sqlite"; path: string }
  | { kind: "redis"; url: string }
  | { kind: "redis-cluster"; nodes: Array<{ host: string; port: number }>; username?: string; password?: string }
  | { kind: "postgres"; url: string };

export type ParsedStoreUrl = { ok: true; location: StoreLocation } | { ok: false; error: string };

/** Every form, for messages. */
export const STORE_URL_FORMS =
  "memory://, sqlite://PATH, redis://HOST:PORT[/DB], rediss://HOST:PORT[/DB], redis-cluster://HOST:PORT[,HOST:PORT…] or postgres://USER[:PASS]@HOST:PORT/DB";

const refuse = (error: string): ParsedStoreUrl => ({ ok: false, error });

// host:port, the host a name, an IPv4 address or an IPv6 address in brackets.
const NODE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

function parseClusterNodes(rest: string): ParsedStoreUrl {
  const at = rest.lastIndexOf("@");
  const credentials = at === -1 ? undefined : rest.slice(0, at);
  const nodes: Array<{ host: string; port: number }> = [];
  for (const node of (at === -1 ? rest : rest.slice(at + 1)).split(",")) {
    const match = NODE.exec(node.trim());
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) {
      return refuse("redis-cluster:// takes seed nodes as HOST:PORT[,HOST:PORT…], each with its port (e.g. redis-cluster://10.0.0.1:7000,10.0.0.2:7000)");
    }
    nodes.push({ host: match[1]!.replace(/^\[|\]$/g, ""), port });
  }
  if (credentials === undefined) return { ok: true, location: { kind: "redis-cluster", nodes } };
  const colon = credentials.indexOf(":");
  const username = decodeURIComponent(colon === -1 ? credentials : credentials.slice(0, colon));
  const password = colon === -1 ? undefined : decodeURIComponent(credentials.slice(colon + 1));
  return {
    ok: true,
    location: { kind: "redis-cluster", nodes, ...(username ? { username } : {}), ...(password === undefined ? {} : { password }) },
  };
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/**
 * Checks an `AUTH_STORE_URL` and says where it points. Error messages name
 * the expected form and never repeat the URL (it may hold a password).
 */
export function parseStoreUrl(text: string): ParsedStoreUrl {
  if (text === "memory://") return { ok: true, location: { kind: "memory" } };
  const scheme = /^([a-z-]+):\/\//.exec(text)?.[1];
  switch (scheme) {
    case "sqlite": {
      const path = text.slice("sqlite://".length);
      return path ? { ok: true, location: { kind: "sqlite", path } } : refuse("sqlite:// needs a file path, e.g. sqlite://./data/gatehouse.db");
    }
    case "redis":
    case "rediss": {
      const url = parseUrl(text);
      if (!url?.hostname || !/^(\/\d*)?$/.test(url.pathname))
        return refuse(`${scheme}:// takes HOST:PORT and an optional database number, e.g. ${scheme}://127.0.0.1:6379/0`);
      return { ok: true, location: { kind: "redis", url: text } };
    }
    case "redis-cluster":
      return parseClusterNodes(text.slice("redis-cluster://".length));
    case "postgres":
    case "postgresql": {
      const url = parseUrl(text);
      if (!url?.username || !url.hostname || !/^\/[^/]+$/.test(url.pathname)) {
        return refuse("postgres:// takes USER[:PASS]@HOST:PORT/DB, e.g. postgres://gatehouse:secret@127.0.0.1:5432/gatehouse");
      }
      return { ok: true, location: { kind: "postgres", url: text } };
    }
    default:
      return refuse(`must be ${STORE_URL_FORMS}`);
  }
}
