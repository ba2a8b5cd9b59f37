import { z } from "zod";

// An access token is a few hundred bytes; the bound only keeps junk out.
export const introspectInput = z.strictObject({ token: z.string().min(1).max(4096) });

/** RFC 7662 in spirit: an inactive token says nothing more about itself. Times are seconds since the epoch. */
export const introspectionOutput = z.discriminatedUnion("active", [
  z.object({ active: z.literal(false) }),
  z.object({
    active: z.literal(true),
    sub: z.string(),
    sid: z.string(),
    role: z.enum(["user", "admin"]),
    exp: z.number(),
    authTime: z.number(),
  }),
]);

export type Introspection = z.infer<typeof introspectionOutput>;
