import { z } from "zod";

// The only module that reads process.env.

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    HOST: z.string().min(1).default("127.0.0.1"),
    /** Gatehouse's public URL: the page signs in there, and the API asks it (JWKS, introspection). */
    GATEHOUSE_URL: z.url().default("http://localhost:3000"),
    AUTH_ISSUER: z.string().min(1).default("gatehouse"),
    AUTH_AUDIENCE: z.string().min(1).default("gatehouse-api"),
    /** HS256: the same string as Gatehouse's AUTH_JWT_SECRET. */
    AUTH_JWT_SECRET: z.string().min(1).optional(),
    /** ES256: set to 1 to check tokens with Gatehouse's /.well-known/jwks.json. */
    GATEHOUSE_JWKS: z.enum(["0", "1"]).default("0"),
    /** An admin's API key with tokens:introspect: logout, lock and demotion apply at once. */
    GATEHOUSE_INTROSPECT_KEY: z.string().startsWith("gth_").optional(),
  })
  .refine((env) => env.AUTH_JWT_SECRET || env.GATEHOUSE_JWKS === "1" || env.GATEHOUSE_INTROSPECT_KEY, {
    message: "set AUTH_JWT_SECRET, GATEHOUSE_JWKS=1 or GATEHOUSE_INTROSPECT_KEY: the service needs a way to check tokens",
  });

export type NotesEnv = z.infer<typeof envSchema>;

export function readEnv(): { ok: true; env: NotesEnv } | { ok: false; errors: string[] } {
  const parsed = envSchema.safeParse(process.env);
  if (parsed.success) return { ok: true, env: parsed.data };
  return { ok: false, errors: parsed.error.issues.map((issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`) };
}
