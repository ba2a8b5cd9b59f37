import type { AuthClient } from "./auth-client.js";
import type { FetchLike } from "./transport.js";

/**
 * Options for tRPC's `httpSubscriptionLink` that send the access token with
 * each connection, and each automatic reconnection, as `Authorization: Bearer`
 * (never in the URL, where logs would keep it). A browser's built-in
 * EventSource cannot send headers: pass one that takes a `fetch` option, such
 * as the `EventSource` of the `eventsource` package:
 *
 *     httpSubscriptionLink({ url: "/api/trpc", EventSource, ...eventSourceAuth(auth) })
 */
export function eventSourceAuth(client: AuthClient, options: { fetch?: FetchLike } = {}) {
  const withToken: FetchLike = (input, init) => {
    const headers = new Headers(init?.headers);
    for (const [name, value] of Object.entries(client.authHeaders())) headers.set(name, value);
    return (options.fetch ?? globalThis.fetch)(input, { ...init, headers });
  };
  return { eventSourceOptions: () => ({ fetch: withToken }) };
}
