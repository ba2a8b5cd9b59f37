import { z } from "zod";
import { parseStoreUrl } from "@gatehouse/store";
import { parseDurationSeconds, parseLimits, parseOAuthProviders } from "@gatehouse/auth";
import { looksNonRandom } from "./secret-strength.js";
// The same decoding @gatehouse/verify applies to the string a team's service is given.
import { decodeSecret } from "@gatehouse/verify";

// The only module that reads process.env (see eslint.config.js).

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const secretSchema = z.string().transform((text, ctx) => {
  const bytes = decodeSecret(text);
  if (!bytes || bytes.length < 32) {
    ctx.addIssue({ code: "custom", message: "must be at least 32 random bytes, written as hex or base64 (e.g. `openssl rand -base64 32`)" });
    return z.NEVER;
  }
  return bytes;
});

const originSchema = z.string().transform((text, ctx) => {
  if (text === "*") {
    ctx.addIssue({ code: "custom", message: "`*` is refused: list the exact origins allowed to call with credentials" });
    return z.NEVER;
  }
  try {
    const url = new URL(text);
    if (url.origin !== text || !/^https?:$/.test(url.protocol)) throw new Error();
    return url.origin;
  } catch {
    ctx.addIssue({ code: "custom", message: `"${text}" is not an exact origin like https://app.example.com` });
    return z.NEVER;
  }
});

const commaList = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .optional()
    .transform((text) =>
      (text ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

const integer = (fallback: number, min: number, max: number) =>
  z.coerce.number({ message: "must be a whole number" }).int("must be a whole number").min(min).max(max).default(fallback);

export const envSchema = z
  .object({
    PORT: integer(3000, 0, 65535),
    HOST: z.string().min(1).default("127.0.0.1"),
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    AUTH_DATA_DIR: z.string().min(1).default("./data"),
    AUTH_STORE_URL: z
      .string()
      .default("sqlite://./data/gatehouse.db")
      .superRefine((url, ctx) => {
        const parsed = parseStoreUrl(url);
        if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.error });
      }),
    // Lets several deployments (or test runs) share one Redis database; no braces (they are Redis Cluster hash tags).
    AUTH_STORE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:._-]{1,64}$/, "must be 1–64 letters, digits or : . _ -")
      .default("gh:"),
    AUTH_JWT_SECRET: secretSchema.optional(),
    AUTH_JWT_PREVIOUS_SECRETS: commaList(secretSchema),
    AUTH_JWT_ALG: z.enum(["HS256", "ES256"]).default("HS256"),
    AUTH_JWT_PRIVATE_KEY: z
      .string()
      .transform((text, ctx) => {
        try {
          const jwk = JSON.parse(text) as Record<string, unknown>;
          if (jwk.kty === "EC" && jwk.crv === "P-256" && typeof jwk.d === "string") return text;
        } catch {
          // reported below
        }
        ctx.addIssue({ code: "custom", message: 'must be a private P-256 JWK as JSON ({"kty":"EC","crv":"P-256","d":…})' });
        return z.NEVER;
      })
      .optional(),
    AUTH_DATA_KEY: secretSchema.optional(),
    AUTH_ISSUER: z.string().min(1).default("gatehouse"),
    AUTH_AUDIENCE: z.string().min(1).default("gatehouse-api"),
    AUTH_BCRYPT_COST: integer(12, 4, 17),
    AUTH_ACCESS_TTL: z
      .string()
      .default("15m")
      .transform((text, ctx) => {
        const seconds = parseDurationSeconds(text.trim());
        // Shorter would refresh several times a minute; longer leaves a stolen token usable too long.
        if (seconds === undefined || seconds < 30 || seconds > 3600) {
          ctx.addIssue({ code: "custom", message: `must be a duration from 30s to 1h, like 15m or 90s (units s, m, h); got "${text}"` });
          return z.NEVER;
        }
        return seconds;
      }),
    CORS_ORIGINS: commaList(originSchema),
    TRUST_PROXY: integer(0, 0, 10),
    MAIL_TRANSPORT: z
      .string()
      .regex(/^(outbox:.+|smtps?:\/\/.+)$/, "must be outbox:DIR or smtp://…")
      .optional(),
    AUTH_REQUIRE_VERIFIED_EMAIL: z
      .enum(["true", "false"], { message: "must be true or false" })
      .default("false")
      .transform((v) => v === "true"),
    AUTH_PASSWORDLESS_SIGNUP: z
      .enum(["true", "false"], { message: "must be true or false" })
      .default("false")
      .transform((v) => v === "true"),
    APP_URL: z.url("must be the app's public URL, like https://app.example.com").optional(),
    ALERT_WEBHOOK_URL: z.url("must be an http(s) URL").optional(),
    ALERT_WEBHOOK_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
    AUTH_AUDIT_RETENTION_DAYS: integer(365, 1, 3650),
    MAIL_FROM: z.string().min(3).default("Gatehouse <no-reply@localhost>"),
    ADMIN_EMAIL: z.string().trim().toLowerCase().pipe(z.email("must be an email address")).optional(),
    ADMIN_PASSWORD: z.string().optional(),
    LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
    /** The built demo app served at `/`; defaults to apps/demo/dist next to this server. */
    DEMO_DIR: z.string().min(1).optional(),
    AUTH_LIMITS: z
      .string()
      .optional()
      .transform((text, ctx) => {
        const parsed = parseLimits(text);
        if (!parsed.ok) {
          ctx.addIssue({ code: "custom", message: parsed.error });
          return z.NEVER;
        }
        return parsed.limits;
      }),
    AUTH_OAUTH_PROVIDERS: z
      .string()
      .optional()
      .transform((text, ctx) => {
        const parsed = parseOAuthProviders(text);
        if (!parsed.ok) {
          ctx.addIssue({ code: "custom", message: parsed.error });
          return z.NEVER;
        }
        return parsed.providers;
      }),
  })
  .superRefine((env, ctx) => {
    const production = env.NODE_ENV === "production";
    if (production && env.AUTH_JWT_ALG === "HS256" && !env.AUTH_JWT_SECRET) {
      ctx.addIssue({ code: "custom", path: ["AUTH_JWT_SECRET"], message: "is required in production (≥ 32 random bytes, hex or base64)" });
    }
    const secrets = {
      AUTH_JWT_SECRET: env.AUTH_JWT_SECRET ? [env.AUTH_JWT_SECRET] : [],
      AUTH_JWT_PREVIOUS_SECRETS: env.AUTH_JWT_PREVIOUS_SECRETS,
      AUTH_DATA_KEY: env.AUTH_DATA_KEY ? [env.AUTH_DATA_KEY] : [],
    };
    for (const [name, values] of Object.entries(secrets)) {
      if (production && values.some(looksNonRandom)) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: "looks chosen, not random (repeated or patterned bytes); generate one with `openssl rand -base64 32`",
        });
      }
    }
    if (production && env.AUTH_JWT_ALG === "ES256" && !env.AUTH_JWT_PRIVATE_KEY) {
      ctx.addIssue({ code: "custom", path: ["AUTH_JWT_PRIVATE_KEY"], message: "is required in production with AUTH_JWT_ALG=ES256 (a private JWK as JSON)" });
    }
    if (production && env.MAIL_TRANSPORT?.startsWith("outbox:")) {
      ctx.addIssue({ code: "custom", path: ["MAIL_TRANSPORT"], message: "outbox is for development; use smtp://… in production" });
    }
    if (env.ALERT_WEBHOOK_URL && !env.ALERT_WEBHOOK_SECRET) {
      ctx.addIssue({ code: "custom", path: ["ALERT_WEBHOOK_SECRET"], message: "is required with ALERT_WEBHOOK_URL (the receiver checks signatures with it)" });
    }
    const plainHttp = env.AUTH_OAUTH_PROVIDERS.filter((provider) => "issuer" in provider && provider.issuer.startsWith("http:"));
    if (production && plainHttp.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["AUTH_OAUTH_PROVIDERS"],
        message: `plain http:// issuers are for local development only (${plainHttp.map((p) => p.id).join(", ")}); use https:// in production`,
      });
    }
    if (Boolean(env.ADMIN_EMAIL) !== Boolean(env.ADMIN_PASSWORD)) {
      ctx.addIssue({ code: "custom", path: [env.ADMIN_EMAIL ? "ADMIN_PASSWORD" : "ADMIN_EMAIL"], message: "ADMIN_EMAIL and ADMIN_PASSWORD go together" });
    }
  });

/** `APP_URL` always set: its default follows `PORT`. */
export type Env = Omit<z.output<typeof envSchema>, "APP_URL"> & { APP_URL: string };

export type EnvResult = { ok: true; env: Env } | { ok: false; errors: string[] };

/** One line per bad variable, naming it, so an operator can fix them all in one go. */
export function parseEnv(source: Record<string, string | undefined>): EnvResult {
  // Empty strings mean "unset", as in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ""));
  const result = envSchema.safeParse(cleaned);
  // A host name, not 127.0.0.1: browsers refuse an IP address as WebAuthn relying party, and localhost is a secure context.
  if (result.success) return { ok: true, env: { ...result.data, APP_URL: result.data.APP_URL ?? `http://localhost:${result.data.PORT}` } };
  const errors = new Map<string, string>();
  for (const issue of result.error.issues) {
    const name = String(issue.path[0] ?? "environment");
    if (!errors.has(name)) errors.set(name, `${name}: ${issue.message}`);
  }
  return { ok: false, errors: [...errors.values()] };
}

export function readEnv(): EnvResult {
  return parseEnv(process.env);
}
