import type { GatehouseInputs, GatehouseOutputs } from "@gatehouse/client";
import { auth } from "./auth";

/** A page of the admin's user list; `nextCursor` is opaque, handed back for the next page (null at the end). */
export type UsersPage = GatehouseOutputs["admin"]["listUsers"];

/**
 * `admin.listUsers`: newest first, or with `email` the users whose address is
 * that one or starts with it, in address order. The server pages by cursor,
 * so each page costs the same however many users there are.
 */
export function findUsers(query: { cursor?: string | undefined; email?: string; limit: number }): Promise<UsersPage> {
  const input: GatehouseInputs["admin"]["listUsers"] = {
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
    ...(query.email ? { email: query.email } : {}),
  };
  return auth.admin.listUsers(input);
}
