import { REASONS, type Reason } from "../../errors.js";
import type { CatalogEntry } from "../../trpc-internals.js";
import { noteOf } from "./procedure-notes.js";

// Any call: a malformed request, a rate limit (every procedure has a rule), the store away, a bug.
const ANY_CALL: readonly Reason[] = ["validation_failed", "rate_limited", "store_unavailable", "internal_error"];
const ACCESS_TOKEN: readonly Reason[] = ["token_expired", "token_invalid", "token_revoked"];

/** What follows from the procedure's declared access (see `identifyCaller` in trpc.ts). */
function accessReasons({ meta }: CatalogEntry): Reason[] {
  switch (meta.access) {
    case "public":
      return [];
    case "refresh_token":
      return ["refresh_invalid", "refresh_reused"];
    case "session":
      return ["token_invalid", "refresh_invalid"];
    case "api_key":
      // forbidden: a user's access token, or a key without the scope (or whose owner is no longer an admin).
      return ["token_invalid", "forbidden", "account_disabled"];
    case "user":
    case "admin":
      // forbidden: an API key where none is allowed or without the scope, or not an admin.
      return [
        ...ACCESS_TOKEN,
        "forbidden",
        ...(meta.apiKeyScope ? (["account_disabled"] as const) : []),
        ...(meta.stepUp ? (["reauth_required"] as const) : []),
      ];
  }
}

/** Every reason a call to this procedure can be refused with, in the order of the reason table. */
export function reasonsOf(entry: CatalogEntry): Reason[] {
  const reasons = new Set<Reason>([...ANY_CALL, ...accessReasons(entry), ...noteOf(entry.path).reasons]);
  // A body over 1 MiB; only mutations take one.
  if (entry.kind === "mutation") reasons.add("payload_too_large");
  if (entry.meta.hashes) reasons.add("overloaded");
  return (Object.keys(REASONS) as Reason[]).filter((reason) => reasons.has(reason));
}
