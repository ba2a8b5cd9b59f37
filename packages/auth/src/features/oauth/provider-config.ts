import { z } from "zod";

/** Host names a development identity provider may be reached on over plain HTTP (never in production). */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export const isLoopbackHttp = (url: URL): boolean => url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);

const parsedUrl = (text: string): URL | undefined => {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
};

const ISSUER_MESSAGE =
  'issuer must be the provider\'s https:// issuer URL (OpenID Connect discovery is read from it; http:// only on localhost); only "id": "github" goes without one';
const issuerSchema = z.string({ message: ISSUER_MESSAGE }).refine(
  (text) => {
    const url = parsedUrl(text);
    return url !== undefined && (url.protocol === "https:" || isLoopbackHttp(url)) && !url.search && !url.hash;
  },
  { message: ISSUER_MESSAGE },
);

/**
 * Where an app may ask the provider to send its code (`auth.oauthStart`,
 * `accounts.linkStart`): an https URL (universal / app links), a private-use
 * scheme in reverse-DNS form (`com.example.app:/oauth`, RFC 8252 §7.1), or an
 * http URL on a loopback address (RFC 8252 §7.3). Each must also be registered
 * at the provider; the server compares exactly, byte for byte.
 */
export function isAppRedirectUri(text: string): boolean {
  const url = parsedUrl(text);
  if (!url || url.hash) return false;
  if (url.protocol === "https:") return true;
  if (url.protocol === "http:") return ["127.0.0.1", "[::1]", "localhost"].includes(url.hostname);
  return /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(url.protocol);
}

const common = {
  name: z.string().trim().min(1).max(50).optional(),
  clientId: z.string({ message: "clientId is required" }).min(1, "clientId is required").max(512),
  clientSecret: z.string({ message: "clientSecret is required" }).min(1, "clientSecret is required").max(2048),
  /** The apps' own redirect URIs accepted by `auth.oauthStart` (the browser flow needs none). */
  redirectUris: z
    .array(
      z
        .string()
        .refine(isAppRedirectUri, { message: "each of redirectUris must be an https:// URL, an app scheme like com.example.app:/oauth, or http://127.0.0.1…" }),
    )
    .max(20)
    .default([]),
};

const scope = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, "scopes are words without spaces or quotes");

export const oidcProviderSchema = z.strictObject({
  id: z.string({ message: "id is required" }).regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "id must be 1–32 characters of a–z, 0–9, - and _"),
  issuer: issuerSchema,
  scopes: z
    .array(scope)
    .min(1)
    .max(20)
    .default(["openid", "email", "profile"])
    .refine((s) => s.includes("openid"), { message: 'scopes must include "openid"' }),
  ...common,
});

export const githubProviderSchema = z.strictObject({
  id: z.literal("github"),
  scopes: z.array(scope).max(20).default(["read:user", "user:email"]),
  ...common,
});

export type OidcProviderConfig = z.output<typeof oidcProviderSchema>;
export type GitHubProviderConfig = z.output<typeof githubProviderSchema>;
export type OAuthProviderConfig = OidcProviderConfig | GitHubProviderConfig;
export type OAuthProviderInput = z.input<typeof oidcProviderSchema> | z.input<typeof githubProviderSchema>;

/** One entry: OpenID Connect when it names an issuer, GitHub's OAuth 2 endpoints for `"id": "github"` without one. */
const entrySchema = z.unknown().transform((value, ctx): OAuthProviderConfig => {
  const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
  const schema = isObject && !("issuer" in value) && (value as { id?: unknown }).id === "github" ? githubProviderSchema : oidcProviderSchema;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
  return z.NEVER;
});

export const oauthProvidersSchema = z
  .array(entrySchema)
  .max(20)
  .superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach((entry, index) => {
      if (seen.has(entry.id)) ctx.addIssue({ code: "custom", path: [index, "id"], message: `id "${entry.id}" is used twice` });
      seen.add(entry.id);
    });
  });

/** Parses `AUTH_OAUTH_PROVIDERS`: one message naming every bad entry (by position and id) and what is wrong with it. */
export function parseOAuthProviders(text: string | undefined): { ok: true; providers: OAuthProviderConfig[] } | { ok: false; error: string } {
  if (!text) return { ok: true, providers: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'must be a JSON list like [{"id":"acme","issuer":"https://…","clientId":"…","clientSecret":"…"}]' };
  }
  if (!Array.isArray(raw)) return { ok: false, error: 'must be a JSON list of providers, like [{"id":"github","clientId":"…","clientSecret":"…"}]' };
  const parsed = oauthProvidersSchema.safeParse(raw);
  if (parsed.success) return { ok: true, providers: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const [index, ...field] = issue.path;
    const id = (raw as Array<{ id?: unknown }>)[Number(index)]?.id;
    const entry = `entry ${Number(index) + 1}${typeof id === "string" ? ` ("${id}")` : ""}`;
    const where = field.length > 0 && !issue.message.startsWith(String(field[0])) ? `${field.join(".")}: ` : "";
    return `${entry}: ${where}${issue.message}`;
  });
  return { ok: false, error: [...new Set(problems)].join("; ") };
}
