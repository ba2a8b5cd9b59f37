export const LIMIT_RULES = [
  "login.ip",
  "login.email",
  "login.lockout",
  "signup.ip",
  "reset.email",
  "verify.email",
  "reauth.user",
  "mfa.attempts",
  "emailCode.email",
  "default",
] as const;
export type LimitRule = (typeof LIMIT_RULES)[number];

/** Rules that count failed credential checks (reserved before the check, refunded on success), not calls. */
export const ATTEMPT_RULES = ["login.lockout", "mfa.attempts"] as const;
export type AttemptRule = (typeof ATTEMPT_RULES)[number];

export interface Limit {
  max: number;
  windowSeconds: number;
}

/** CONTRACT §5; each can be overridden by name through AUTH_LIMITS. */
export const DEFAULT_LIMITS: Readonly<Record<LimitRule, Limit>> = {
  "login.ip": { max: 20, windowSeconds: 60 },
  "login.email": { max: 5, windowSeconds: 60 },
  "login.lockout": { max: 10, windowSeconds: 15 * 60 },
  "signup.ip": { max: 10, windowSeconds: 3600 },
  "reset.email": { max: 3, windowSeconds: 3600 },
  "verify.email": { max: 3, windowSeconds: 3600 },
  "reauth.user": { max: 20, windowSeconds: 15 * 60 },
  "mfa.attempts": { max: 5, windowSeconds: 15 * 60 },
  "emailCode.email": { max: 3, windowSeconds: 15 * 60 },
  default: { max: 300, windowSeconds: 60 },
};

export type Limits = Readonly<Record<LimitRule, Limit>>;

const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

/** A duration written like `30s`, `15m` or `1h`, in seconds; undefined when it is not written so. */
export function parseDurationSeconds(text: string): number | undefined {
  const match = /^(\d+)([smh])$/.exec(text);
  return match ? Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS] : undefined;
}

/** Seconds written back in the largest whole unit: 3600 → `1h`, 90 → `90s`. */
export function formatWindow(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** Parses `AUTH_LIMITS`: a JSON object of rule name → "MAX/WINDOW" (e.g. `{"login.email":"100/1m"}`). */
export function parseLimits(text: string | undefined): { ok: true; limits: Partial<Record<LimitRule, Limit>> } | { ok: false; error: string } {
  if (!text) return { ok: true, limits: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'must be a JSON object like {"login.email":"100/1m"}' };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { ok: false, error: 'must be a JSON object like {"login.email":"100/1m"}' };
  const limits: Partial<Record<LimitRule, Limit>> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!(LIMIT_RULES as readonly string[]).includes(name)) return { ok: false, error: `unknown rule "${name}"; rules are ${LIMIT_RULES.join(", ")}` };
    const match = typeof value === "string" ? /^(\d+)\/(.+)$/.exec(value) : null;
    const windowSeconds = match ? parseDurationSeconds(match[2]!) : undefined;
    if (!match || Number(match[1]) < 1 || !windowSeconds) return { ok: false, error: `rule "${name}" must be "MAX/WINDOW" like "5/1m" (units s, m, h)` };
    limits[name as LimitRule] = { max: Number(match[1]), windowSeconds };
  }
  return { ok: true, limits };
}
