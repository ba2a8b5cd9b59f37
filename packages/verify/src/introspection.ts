import { VerifyError } from "./errors.js";
import { isRole, type Role } from "./verified-user.js";
import { API_KEY_PREFIX } from "./presented-token.js";

export interface IntrospectOptions {
  /** Gatehouse's base URL, e.g. `https://auth.example.com`. */
  url: string | URL;
  /** An admin's API key with the `tokens:introspect` scope. */
  apiKey: string;
  /** Default 5000. */
  timeoutMs?: number;
}

export type Introspection = { active: false } | { active: true; sub: string; sid: string; role: Role; exp: number; authTime: number };

const unavailable = (message: string, cause?: unknown) => new VerifyError("store_unavailable", message, { cause });

/** Asks Gatehouse (`auth.introspect`) what a token stands for right now. */
export function createIntrospection(options: IntrospectOptions): (token: string) => Promise<Introspection> {
  if (typeof options.apiKey !== "string" || !options.apiKey.startsWith(API_KEY_PREFIX))
    throw new TypeError("introspect.apiKey must be a Gatehouse API key (gth_…) with the tokens:introspect scope.");
  const base = String(options.url);
  const endpoint = new URL("trpc/auth.introspect", base.endsWith("/") ? base : `${base}/`);
  const timeoutMs = options.timeoutMs ?? 5_000;

  return async (token) => {
    let response: Response;
    try {
      // POST, not GET with ?input=: the token must not end up in a URL (RFC 7662 §2.1).
      response = await fetch(endpoint, {
        method: "POST",
        headers: { Authorization: `Bearer ${options.apiKey}`, "Content-Type": "application/json" },
        body: JSON.stringify({ token }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw unavailable("Gatehouse could not be reached for introspection.", error);
    }
    const body = (await response.json().catch(() => undefined)) as { result?: { data?: unknown }; error?: { data?: { reason?: unknown } } } | undefined;
    if (!response.ok) {
      const reason = body?.error?.data?.reason;
      // A refused API key is a configuration problem of this service, not of the user's token.
      throw unavailable(`Gatehouse refused the introspection (HTTP ${response.status}${typeof reason === "string" ? `, ${reason}` : ""}).`);
    }
    return introspectionFrom(body?.result?.data);
  };
}

function introspectionFrom(data: unknown): Introspection {
  const answer = (data ?? {}) as Record<string, unknown>;
  if (answer.active === false) return { active: false };
  const { sub, sid, role, exp, authTime } = answer;
  if (answer.active === true && typeof sub === "string" && typeof sid === "string" && isRole(role) && typeof exp === "number" && typeof authTime === "number") {
    return { active: true, sub, sid, role, exp, authTime };
  }
  throw unavailable("Gatehouse's introspection answer is not one this verifier understands.");
}
