import { TRPCClientError, type TRPCLink } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import { authedSubscription } from "./auth-subscription.js";
import type { AuthClient } from "./auth-client.js";
import { needsNewAccessToken, reasonOf } from "./errors.js";
import type { SessionKeeper } from "./session-keeper.js";
import type { ReauthPrompt, StepUp } from "./step-up.js";

export interface AuthLinkOptions {
  /**
   * Which refusals mean "get a new access token and try once more". Defaults
   * to Gatehouse's `token_expired` and `token_revoked` (`error.data.reason`);
   * an app whose server answers differently says so here.
   */
  refreshOn?: (error: TRPCClientError<AnyTRPCRouter>) => boolean;
  /**
   * Asks the person to confirm their password when a call is refused with
   * `reauth_required`, then retries the call once. Defaults to the client's
   * `onReauthRequired`; without one, the refusal reaches the caller.
   */
  onReauthRequired?: ReauthPrompt;
}

/** What the link needs of a client, kept off the client's public type. */
export interface LinkedSession {
  keeper: SessionKeeper;
  stepUp: StepUp;
  onReauthRequired: ReauthPrompt | undefined;
}

const linked = new WeakMap<AuthClient, LinkedSession>();

export function registerAuthClient(client: AuthClient, session: LinkedSession): void {
  linked.set(client, session);
}

/**
 * A tRPC link for an app's own client, placed before its terminating link:
 * each call waits for the session to be restored or refreshed if needed; a
 * call the server refuses for its access token is retried once after a single
 * shared refresh, and one refused with `reauth_required` once after the app's
 * step-up prompt. Subscriptions reconnect with the new token after a refresh
 * and end when the session does. The terminating link adds the header itself,
 * from `client.authHeaders` (a link in front cannot set the HTTP headers):
 *
 *     links: [authLink(auth), httpBatchLink({ url: "/api/trpc", headers: auth.authHeaders })]
 */
export function authLink<TRouter extends AnyTRPCRouter = AnyTRPCRouter>(client: AuthClient, options: AuthLinkOptions = {}): TRPCLink<TRouter> {
  const session = linked.get(client);
  if (!session) throw new TypeError("authLink needs a client made by createAuthClient.");
  return authLinkFor<TRouter>(session, { ...options, onReauthRequired: options.onReauthRequired ?? session.onReauthRequired });
}

/** What a refused call has already been given, so each remedy is tried once. */
interface Tried {
  refresh: boolean;
  stepUp: boolean;
}

export function authLinkFor<TRouter extends AnyTRPCRouter>(session: LinkedSession, options: AuthLinkOptions = {}): TRPCLink<TRouter> {
  const { keeper, stepUp } = session;
  const refreshOn = options.refreshOn ?? needsNewAccessToken;
  const prompt = options.onReauthRequired;

  /** Whether the refused call is worth another try, and with what tried by then. */
  async function remedy(error: TRPCClientError<AnyTRPCRouter>, token: string | null, tried: Tried): Promise<Tried | undefined> {
    // Only a call that carried a token can be saved by a new one.
    if (!tried.refresh && token !== null && refreshOn(error)) return (await keeper.recoverFromRejection(token)) ? { ...tried, refresh: true } : undefined;
    if (!tried.stepUp && prompt && reasonOf(error) === "reauth_required") return (await stepUp(prompt)) ? { ...tried, stepUp: true } : undefined;
    return undefined;
  }

  return () =>
    ({ op, next }) => {
      if (op.type === "subscription") return authedSubscription(keeper, op, next, refreshOn);
      return observable((observer) => {
        let current: Unsubscribable | undefined;
        let closed = false;

        const attempt = (tried: Tried): void => {
          keeper.accessTokenForCall().then(
            (token) => {
              if (closed) return;
              current = next(op).subscribe({
                next: (envelope) => observer.next(envelope),
                complete: () => observer.complete(),
                error: (error) => {
                  remedy(error, token, tried).then(
                    (retry) => {
                      if (closed) return;
                      if (retry) attempt(retry);
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

        attempt({ refresh: false, stepUp: false });
        return () => {
          closed = true;
          current?.unsubscribe();
        };
      });
    };
}
