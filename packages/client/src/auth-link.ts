import { TRPCClientError, type TRPCLink } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import type { AuthClient } from "./create-auth-client.js";
import { needsNewAccessToken } from "./errors.js";
import type { SessionKeeper } from "./session-keeper.js";

export interface AuthLinkOptions {
  /**
   * Which refusals mean "get a new access token and try once more". Defaults
   * to Gatehouse's `token_expired` and `token_revoked` (`error.data.reason`);
   * an app whose server answers differently says so here.
   */
  refreshOn?: (error: TRPCClientError<AnyTRPCRouter>) => boolean;
}

// Which session keeper stands behind a client, without putting it on the client's public type.
const keepers = new WeakMap<AuthClient, SessionKeeper>();

export function registerAuthClient(client: AuthClient, keeper: SessionKeeper): void {
  keepers.set(client, keeper);
}

/**
 * A tRPC link for an app's own client, placed before its terminating link:
 * each call waits for the session to be restored or refreshed if needed, and a
 * call the server refuses for its access token is retried once after a single
 * shared refresh. The terminating link adds the header itself, from
 * `client.authHeaders` (a link in front cannot set the HTTP headers):
 *
 *     links: [authLink(auth), httpBatchLink({ url: "/api/trpc", headers: auth.authHeaders })]
 */
export function authLink<TRouter extends AnyTRPCRouter = AnyTRPCRouter>(client: AuthClient, options: AuthLinkOptions = {}): TRPCLink<TRouter> {
  const keeper = keepers.get(client);
  if (!keeper) throw new TypeError("authLink needs a client made by createAuthClient.");
  return authLinkFor<TRouter>(keeper, options);
}

export function authLinkFor<TRouter extends AnyTRPCRouter>(keeper: SessionKeeper, options: AuthLinkOptions = {}): TRPCLink<TRouter> {
  const refreshOn = options.refreshOn ?? needsNewAccessToken;
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let current: Unsubscribable | undefined;
        let closed = false;

        const attempt = (isRetry: boolean): void => {
          keeper.accessTokenForCall().then(
            (token) => {
              if (closed) return;
              current = next(op).subscribe({
                next: (envelope) => observer.next(envelope),
                complete: () => observer.complete(),
                error: (error) => {
                  // Only a call that carried a token can be saved by a new one, and only once.
                  if (isRetry || token === null || !refreshOn(error)) {
                    observer.error(error);
                    return;
                  }
                  keeper.recoverFromRejection(token).then(
                    (worthRetrying) => {
                      if (closed) return;
                      if (worthRetrying) attempt(true);
                      else observer.error(error);
                    },
                    // The refresh itself failed (offline, say): the caller learns of the original refusal.
                    () => observer.error(error),
                  );
                },
              });
            },
            (cause: unknown) => observer.error(TRPCClientError.from(cause instanceof Error ? cause : new Error(String(cause)))),
          );
        };

        attempt(false);
        return () => {
          closed = true;
          current?.unsubscribe();
        };
      });
}
