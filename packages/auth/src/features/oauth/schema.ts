import { z } from "zod";
import { DEVICE_TOKEN_MAX_LENGTH } from "../devices/device-store.js";

export const providerIdSchema = z
  .string()
  .min(1)
  .max(32)
  .meta({ description: "A provider id from auth.oauthProviders.", examples: ["github"] });

export const oauthProvidersOutput = z.array(z.object({ id: z.string(), name: z.string() }));

export const oauthStartInput = z.strictObject({
  provider: providerIdSchema,
  redirectUri: z.string().min(1).max(2048).meta({ description: "The app's own redirect URI: one of the provider's configured redirectUris." }),
});

export const authorizationOutput = z.object({
  authorizationUrl: z.string().meta({ description: "Open it in a browser (or the system's authentication session)." }),
  state: z.string().meta({ description: "Comes back with the code; send both to auth.oauthFinish." }),
});

export const oauthFinishInput = z.strictObject({
  provider: providerIdSchema,
  code: z.string().min(1).max(2048),
  state: z.string().min(1).max(128),
  /** Token mode: the device credential from an earlier sign-in, as with auth.login. */
  deviceToken: z.string().max(DEVICE_TOKEN_MAX_LENGTH).optional(),
});

export const linkedAccountSchema = z.object({ provider: z.string(), email: z.string().nullable(), linkedAt: z.string() });

/** A link flow finished by an app: the identity is linked, no new session. */
export const linkedOutput = z.object({ linked: z.literal(true), account: linkedAccountSchema });
