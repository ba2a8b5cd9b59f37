import { z } from "zod";
import type { Role } from "../../tokens/access-token.js";

export interface MfaState {
  /** The TOTP secret, sealed under the server's data key: never stored or returned in clear. */
  sealedSecret: string;
  /** The last time step accepted, so a code cannot be replayed within its window. */
  lastStep: number;
  recoveryCodeHashes: string[];
}

/** What the store holds for a user. Only `toPublicUser` decides what leaves the server. */
export interface UserRecord {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  emailVerified: boolean;
  mfaEnabled: boolean;
  passwordHash: string;
  createdAt: number;
  /** Bumped to end every session at once (logout everywhere, password change, admin lock). */
  sessionGeneration: number;
  disabledAt: number | null;
  /** Absent on accounts created before two-factor existed: read it as null. */
  mfa?: MfaState | null;
  /**
   * Bumped to end every API key at once (a password reset, a first proof of
   * the mailbox): a key works only while it carries the current value. Absent: 0.
   */
  apiKeyGeneration?: number;
}

export const publicUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(["user", "admin"]),
  emailVerified: z.boolean(),
  mfaEnabled: z.boolean(),
  createdAt: z.string(),
});

export type PublicUser = z.infer<typeof publicUserSchema>;

// Store reads are frozen and shared while the record is unchanged (auth.me reads the same user object on every
// call), so its public view is made once per record object.
const publicViews = new WeakMap<UserRecord, PublicUser>();

/** The one serializer from a stored user to what clients see (CONTRACT §4: never more). */
export function toPublicUser(user: UserRecord): PublicUser {
  let view = publicViews.get(user);
  if (!view) {
    view = Object.freeze({
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      emailVerified: user.emailVerified,
      mfaEnabled: user.mfaEnabled,
      createdAt: new Date(user.createdAt).toISOString(),
    });
    // Only a frozen record cannot change under its cached view.
    if (Object.isFrozen(user)) publicViews.set(user, view);
  }
  return view;
}
