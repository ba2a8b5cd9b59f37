import { z } from "zod";
import { publicUserSchema } from "../users/user-record.js";

export const refreshInput = z.strictObject({ refreshToken: z.string().min(1).max(256).optional() }).optional();

export const tokenSetOutput = z.object({
  accessToken: z.string(),
  tokenType: z.literal("Bearer"),
  expiresIn: z.number(),
  user: publicUserSchema,
  refreshToken: z.string().optional(),
  refreshExpiresIn: z.number().optional(),
  /** Token mode, signup and login: keep it and send it with the next login. */
  deviceToken: z.string().optional(),
});

export type TokenSet = z.infer<typeof tokenSetOutput>;

export const meOutput = z.object({ user: publicUserSchema });
