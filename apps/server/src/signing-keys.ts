import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { hkdfSync, randomBytes } from "node:crypto";
import { join } from "node:path";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { createEcKeyRing, createSecretKeyRing, type KeyRing, type Logger } from "@gatehouse/auth";
import { decodeSecret } from "@gatehouse/verify";
import type { Env } from "./env.js";

/**
 * The key ring from configuration. In development a missing key is generated
 * once and kept in the data dir (mode 600) so tokens survive a restart;
 * production refuses to start without one (enforced in env.ts).
 */
export async function loadSigningKeys(env: Env, logger: Logger): Promise<{ keys: KeyRing; dataKey: string }> {
  if (env.NODE_ENV === "production" && !env.AUTH_DATA_KEY) {
    logger.warn({ event: "data_key_derived" }, "AUTH_DATA_KEY is not set: two-factor secrets are tied to the signing key and will not survive its rotation");
  }
  if (env.AUTH_JWT_ALG === "ES256") {
    const jwk = env.AUTH_JWT_PRIVATE_KEY
      ? (JSON.parse(env.AUTH_JWT_PRIVATE_KEY) as JWK)
      : await keptInDataDir(
          env,
          "jwt-es256.jwk.json",
          logger,
          async () => JSON.stringify(await exportJWK((await generateKeyPair("ES256", { extractable: true })).privateKey)),
          (text) => JSON.parse(text) as JWK,
        );
    return { keys: await createEcKeyRing([jwk]), dataKey: env.AUTH_DATA_KEY ? deriveDataKey(env.AUTH_DATA_KEY) : deriveDataKey(String(jwk.d)) };
  }
  const current =
    env.AUTH_JWT_SECRET ??
    (await keptInDataDir(
      env,
      "jwt-secret",
      logger,
      async () => randomBytes(32).toString("base64"),
      (text) => decodeSecret(text)!,
    ));
  return { keys: createSecretKeyRing([current, ...env.AUTH_JWT_PREVIOUS_SECRETS]), dataKey: deriveDataKey(env.AUTH_DATA_KEY ?? current) };
}

/**
 * The key TOTP seeds, recovery codes and the audit chain are protected with:
 * AUTH_DATA_KEY when set (recommended in production, so signing keys can
 * rotate freely), otherwise derived from the signing secret. HKDF keeps the
 * two uses from sharing key material either way.
 */
function deriveDataKey(material: string | Uint8Array): string {
  return Buffer.from(hkdfSync("sha256", material, Buffer.alloc(0), "gatehouse data key v1", 32)).toString("base64");
}

async function keptInDataDir<T>(env: Env, file: string, logger: Logger, generate: () => Promise<string>, decode: (text: string) => T): Promise<T> {
  const path = join(env.AUTH_DATA_DIR, file);
  if (!existsSync(path)) {
    writeFileSync(path, await generate(), { mode: 0o600, flag: "wx" });
    chmodSync(path, 0o600);
    logger.warn({ event: "dev_signing_key_generated", path }, "No signing key configured: generated one for development. Set AUTH_JWT_SECRET in production.");
  } else {
    logger.warn({ event: "dev_signing_key_loaded", path }, "Using the development signing key from the data dir. Set AUTH_JWT_SECRET in production.");
  }
  return decode(readFileSync(path, "utf8"));
}
