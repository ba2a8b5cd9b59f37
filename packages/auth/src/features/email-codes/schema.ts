import { z } from "zod";
import { emailSchema } from "../sign-in/schema.js";
import { DEVICE_TOKEN_MAX_LENGTH } from "../devices/device-store.js";

export const requestEmailCodeInput = z.strictObject({ email: emailSchema });

/** Token mode: the device credential from an earlier sign-in (cookie mode uses the cookie). */
const deviceToken = z.string().max(DEVICE_TOKEN_MAX_LENGTH).optional();

export const loginWithEmailCodeInput = z.union([
  z.strictObject({
    email: emailSchema,
    code: z
      .string()
      .trim()
      .regex(/^\d{6}$/, "Enter the 6-digit code from the mail."),
    deviceToken,
  }),
  // The one-click link's token, from `APP_URL/sign-in-code?token=…`.
  z.strictObject({ token: z.string().min(1).max(128), deviceToken }),
]);

export type LoginWithEmailCodeInput = z.infer<typeof loginWithEmailCodeInput>;
