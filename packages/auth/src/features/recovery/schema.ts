import { z } from "zod";
import { passwordInputSchema } from "../sign-in/schema.js";

export const changePasswordInput = z.strictObject({
  currentPassword: passwordInputSchema,
  newPassword: passwordInputSchema,
});

export const linkTokenInput = z.strictObject({ token: z.string().min(1).max(128) });
