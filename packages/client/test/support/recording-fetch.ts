import type { FetchLike } from "../../src/index.js";

/**
 * A cookie jar for Node, which has none: keeps Set-Cookie name=value per path,
 * drops a cookie on Max-Age=0, and sends the cookies whose path matches.
 * Domain, Secure and SameSite are ignored: every test talks to one host.
 */
export class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  store(setCookie: string): void {
    const [pair = "", ...attributes] = setCookie.split(";").map((part) => part.trim());
    const eq = pair.indexOf("=");
    if (eq < 1) return;
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let path = "/";
    let maxAge: number | undefined;
    for (const attribute of attributes) {
      const [key = "", attributeValue = ""] = attribute.split("=");
      if (key.toLowerCase() === "path") path = attributeValue;
      if (key.toLowerCase() === "max-age") maxAge = Number(attributeValue);
    }
    const id = `${name}@${path}`;
    if (maxAge !== undefined && maxAge <= 0) this.cookies.delete(id);
    else this.cookies.set(id, { name, value, path });
  }

  /** The Cookie header for a request path (RFC 6265 path-match), or undefined. */
  headerFor(requestPath: string): string | undefined {
    const matching = [...this.cookies.values()].filter(
      ({ path }) => requestPath === path || (requestPath.startsWith(path) && (path.endsWith("/") || requestPath[path.length] === "/")),
    );
    return matching.length ? matching.map(({ name, value }) => `${name}=${value}`).join("; ") : undefined;
  }

  get(name: string): string | undefined {
    return [...this.cookies.values()].find((cookie) => cookie.name === name)?.value;
  }
}

export interface RecordedRequest {
  /** The procedure path(s), e.g. `auth.refresh`. */
  procedure: string;
  method: string;
  headers: Headers;
  body: unknown;
  credentials: RequestCredentials | undefined;
  status?: number;
}

/**
 * Wraps the global fetch: records every request (and its answer's status) and,
 * given a jar, plays browser with cookies. `slowAnswers` holds back the answer
 * to a procedure (Set-Cookie included) for that many ms, like a slow network.
 */
export function createRecordingFetch(jar?: CookieJar, slowAnswers: Record<string, number> = {}) {
  const requests: RecordedRequest[] = [];
  const recordingFetch: FetchLike = async (input, init = {}) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    const headers = new Headers(init.headers);
    const cookie = jar?.headerFor(url.pathname);
    if (cookie) headers.set("Cookie", cookie);
    const record: RecordedRequest = {
      procedure: url.pathname.replace(/^\/trpc\//, ""),
      method: init.method ?? "GET",
      headers,
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
      credentials: init.credentials,
    };
    requests.push(record);
    const response = await fetch(url, { ...init, headers });
    const delay = slowAnswers[record.procedure];
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    record.status = response.status;
    if (jar) for (const setCookie of response.headers.getSetCookie()) jar.store(setCookie);
    return response;
  };
  return {
    fetch: recordingFetch,
    requests,
    count: (procedure: string) => requests.filter((request) => request.procedure === procedure).length,
    reset: () => void requests.splice(0),
  };
}
