import { createHash } from "node:crypto";
import { exportJWK, importJWK, type JWK, type CryptoKey } from "jose";

export type SigningAlgorithm = "HS256" | "ES256";

interface VerificationKey {
  kid: string;
  key: CryptoKey | Uint8Array;
}

/**
 * One key signs; every key in the ring verifies, so a new key can be rolled in
 * while tokens signed by the previous one stay valid until they expire.
 * Keys are imported once here, never per request.
 */
export interface KeyRing {
  algorithm: SigningAlgorithm;
  signing: VerificationKey;
  verification: ReadonlyMap<string, CryptoKey | Uint8Array>;
  /** Public keys for `/.well-known/jwks.json`; undefined for symmetric keys, which are never published. */
  jwks: { keys: JWK[] } | undefined;
}

const kidOf = (material: string | Uint8Array): string => createHash("sha256").update(material).digest("base64url").slice(0, 16);

/** HS256 from shared secrets: the first signs, all verify. */
export function createSecretKeyRing(secrets: Uint8Array[]): KeyRing {
  const [first] = secrets;
  if (!first) throw new Error("at least one signing secret is required");
  const keys = secrets.map((secret) => ({ kid: kidOf(secret), key: secret }));
  return {
    algorithm: "HS256",
    signing: keys[0]!,
    verification: new Map(keys.map((k) => [k.kid, k.key])),
    jwks: undefined,
  };
}

/** ES256 from private JWKs: the first signs, the public halves of all verify and are published. */
export async function createEcKeyRing(privateJwks: JWK[]): Promise<KeyRing> {
  if (privateJwks.length === 0) throw new Error("at least one signing key is required");
  const entries = await Promise.all(
    privateJwks.map(async (jwk) => {
      const { d: _private, ...publicJwk } = jwk;
      const kid = jwk.kid ?? kidOf(JSON.stringify({ x: jwk.x, y: jwk.y }));
      return {
        kid,
        privateKey: (await importJWK({ ...jwk, alg: "ES256" }, "ES256")) as CryptoKey,
        publicKey: (await importJWK({ ...publicJwk, alg: "ES256" }, "ES256")) as CryptoKey,
        publicJwk: {
          ...(await exportJWK((await importJWK({ ...publicJwk, alg: "ES256" }, "ES256", { extractable: true })) as CryptoKey)),
          kid,
          alg: "ES256",
          use: "sig",
        },
      };
    }),
  );
  return {
    algorithm: "ES256",
    signing: { kid: entries[0]!.kid, key: entries[0]!.privateKey },
    verification: new Map(entries.map((e) => [e.kid, e.publicKey])),
    jwks: { keys: entries.map((e) => e.publicJwk) },
  };
}
