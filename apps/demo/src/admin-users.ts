import { reasonOf, type PublicUser } from "@gatehouse/client";
import { auth } from "./auth";

/** A page of the admin's user list, newest first; `nextCursor` is opaque, handed back for the next page. */
export interface UsersPage {
  items: PublicUser[];
  nextCursor: unknown;
}

type ListUsers = (input: Record<string, unknown>) => Promise<unknown>;
// Called loosely typed: the demo speaks the contract's shape, whichever shape the SDK's types have today.
const listUsers = auth.admin.listUsers as unknown as ListUsers;

/**
 * `admin.listUsers` as the contract has it: `{cursor?, limit?, email?}` →
 * `{items, nextCursor}`, newest first, `email` finding an exact address or a
 * prefix. The one place that knows about an older server whose list took
 * `{page, limit}` and answered `{items, total}` oldest first: there the pages
 * are read and filtered here, which costs a request per 100 users.
 */
export async function findUsers(query: { cursor?: unknown; email?: string; limit: number }): Promise<UsersPage> {
  if (!legacyServer) {
    try {
      const answer = await listUsers({ limit: query.limit, ...(query.cursor !== undefined ? { cursor: query.cursor } : {}), ...(query.email ? { email: query.email } : {}) });
      if (isCursorPage(answer)) return answer;
    } catch (error) {
      if (reasonOf(error) !== "validation_failed") throw error;
    }
    legacyServer = true;
  }
  return legacyFindUsers(query);
}

let legacyServer = false;

function isCursorPage(answer: unknown): answer is UsersPage {
  return typeof answer === "object" && answer !== null && Array.isArray((answer as UsersPage).items) && "nextCursor" in answer;
}

async function legacyFindUsers(query: { cursor?: unknown; email?: string; limit: number }): Promise<UsersPage> {
  const all: PublicUser[] = [];
  for (let page = 1; ; page++) {
    const answer = (await listUsers({ page, limit: 100 })) as { items: PublicUser[]; total: number };
    all.push(...answer.items);
    if (answer.items.length === 0 || all.length >= answer.total) break;
  }
  const email = query.email?.trim().toLowerCase();
  const matching = all.reverse().filter((user) => !email || user.email.startsWith(email));
  const offset = typeof query.cursor === "number" ? query.cursor : 0;
  const end = offset + query.limit;
  return { items: matching.slice(offset, end), nextCursor: end < matching.length ? end : null };
}
