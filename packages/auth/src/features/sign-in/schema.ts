import { z } from "zod";
import { DEVICE_TOKEN_MAX_LENGTH } from "../devices/device-store.js";

/** The longest address accepted (RFC 5321's path limit less its angle brackets). */
export const EMAIL_MAX_LENGTH = 254;

// Lower-cased and trimmed before anything else sees it: one address, one account.
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email("Enter a valid email address.").max(EMAIL_MAX_LENGTH))
  .meta({ description: `An email address (up to ${EMAIL_MAX_LENGTH} characters); trimmed and lower-cased before use.`, examples: ["ada@example.com"] });
// Generous bound for transport only; the password policy (8–128 characters,
// not common) answers `weak_password` with a reason the user can act on.
export const passwordInputSchema = z.string().min(1, "Enter a password.").max(1024);

export const signupInput = z.strictObject({
  email: emailSchema,
  password: passwordInputSchema,
  name: z.string().trim().min(1).max(100).optional(),
});

export const loginInput = z.strictObject({
  email: emailSchema,
  password: passwordInputSchema,
  /** Token mode: the device credential from an earlier login (cookie mode uses the cookie). */
  deviceToken: z.string().max(DEVICE_TOKEN_MAX_LENGTH).optional(),
});

export const mfaChallengeOutput = z.object({ mfaRequired: z.literal(true), mfaToken: z.string() });

export const verifyMfaInput = z.strictObject({
  mfaToken: z.string().min(1).max(128),
  code: z.string().trim().min(6).max(32),
});

export const reauthenticateInput = z.strictObject({
  password: passwordInputSchema,
  code: z.string().trim().min(6).max(32).optional(),
});
