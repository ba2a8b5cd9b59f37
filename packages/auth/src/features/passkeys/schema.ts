import { z } from "zod";
import { emailSchema } from "../sign-in/schema.js";
import { DEVICE_TOKEN_MAX_LENGTH } from "../devices/device-store.js";

// WebAuthn Level 3 JSON (§5.1 `toJSON()`, `PublicKeyCredential*JSON`): binary fields as base64url.
const base64url = (maxChars: number) =>
  z
    .string()
    .max(maxChars)
    .regex(/^[A-Za-z0-9_-]*$/, "must be base64url");
// A credential id is at most 1023 bytes (WebAuthn §4 "Credential ID").
const credentialId = base64url(1400).min(1);
const transports = z.array(z.string().max(32)).max(10);
// Client extension outputs (WebAuthn §9): the verifier reads none; the usual ones are described, others dropped.
const extensionResults = z.object({
  appid: z.boolean().optional(),
  credProps: z.object({ rk: z.boolean().optional() }).optional(),
  hmacCreateSecret: z.boolean().optional(),
  prf: z.object({ enabled: z.boolean().optional() }).optional(),
});
// Browsers send null where no attachment is known; the verifier takes only a value or nothing.
const attachment = z
  .enum(["platform", "cross-platform"])
  .nullish()
  .transform((v) => v ?? undefined);

/** What the browser's `navigator.credentials.create()` gave, as JSON. */
export const registrationResponseSchema = z.object({
  id: credentialId,
  rawId: credentialId,
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: base64url(16_384),
    attestationObject: base64url(131_072),
    authenticatorData: base64url(65_536).optional(),
    transports: transports.optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(8_192).optional(),
  }),
  authenticatorAttachment: attachment,
  clientExtensionResults: extensionResults,
});

/** What the browser's `navigator.credentials.get()` gave, as JSON. */
export const authenticationResponseSchema = z.object({
  id: credentialId,
  rawId: credentialId,
  type: z.literal("public-key"),
  response: z.object({
    clientDataJSON: base64url(16_384),
    authenticatorData: base64url(65_536),
    signature: base64url(8_192),
    userHandle: base64url(128)
      .nullish()
      .transform((v) => v ?? undefined),
  }),
  authenticatorAttachment: attachment,
  clientExtensionResults: extensionResults,
});

export type RegistrationResponse = z.infer<typeof registrationResponseSchema>;
export type AuthenticationResponse = z.infer<typeof authenticationResponseSchema>;

const challengeId = z.string().min(1).max(128);
export const passkeyNameSchema = z.string().trim().min(1).max(100);

export const passkeyOptionsInput = z.strictObject({ email: emailSchema.optional() }).optional();
export const loginWithPasskeyInput = z.strictObject({
  challengeId,
  response: authenticationResponseSchema,
  /** Token mode: the device credential from an earlier sign-in (cookie mode uses the cookie). */
  deviceToken: z.string().max(DEVICE_TOKEN_MAX_LENGTH).optional(),
});
export const registerInput = z.strictObject({ challengeId, response: registrationResponseSchema, name: passkeyNameSchema.optional() });
export const passkeyIdInput = z.strictObject({ id: z.string().min(1).max(64) });
export const renameInput = z.strictObject({ id: z.string().min(1).max(64), name: passkeyNameSchema });

// Outputs: the options as @simplewebauthn/server generates them, described for clients and
// the OpenAPI document; loose, so every member (hints, extensions) reaches the browser.
const descriptor = z.looseObject({ id: z.string(), type: z.string(), transports: z.array(z.string()).optional() });

export const requestOptionsOutput = z.object({
  challengeId: z.string(),
  options: z.looseObject({
    challenge: z.string(),
    rpId: z.string().optional(),
    timeout: z.number().optional(),
    allowCredentials: z.array(descriptor).optional(),
    userVerification: z.string().optional(),
  }),
});

export const creationOptionsOutput = z.object({
  challengeId: z.string(),
  options: z.looseObject({
    challenge: z.string(),
    rp: z.looseObject({ id: z.string().optional(), name: z.string() }),
    user: z.looseObject({ id: z.string(), name: z.string(), displayName: z.string() }),
    pubKeyCredParams: z.array(z.looseObject({ type: z.string(), alg: z.number() })),
    timeout: z.number().optional(),
    excludeCredentials: z.array(descriptor).optional(),
    authenticatorSelection: z.looseObject({}).optional(),
    attestation: z.string().optional(),
  }),
});

export const passkeyOutput = z.object({ id: z.string(), name: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable() });
export const registeredPasskeyOutput = passkeyOutput.pick({ id: true, name: true, createdAt: true });

/**
 * The options as this API describes them. @simplewebauthn/server types them as
 * interfaces, which TypeScript does not let stand in for open JSON objects
 * without an assertion; they are the same JSON.
 */
export type RequestOptionsJSON = z.input<typeof requestOptionsOutput>["options"];
export type CreationOptionsJSON = z.input<typeof creationOptionsOutput>["options"];
