import { TRPCClientError, type Operation, type OperationLink, type OperationResultEnvelope } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import type { SessionKeeper } from "./session-keeper.js";

type Next = Parameters<OperationLink<AnyTRPCRouter>>[0]["next"];
type ClientError = TRPCClientError<AnyTRPCRouter>;

/** Resumes a subscription where it left off, as tRPC's own retryLink does for tracked events. */
function resumingAfter(op: Operation, lastEventId: string | undefined): Operation {
  if (lastEventId === undefined || (op.input != null && typeof op.input !== "object")) return op;
  return { ...op, input: { ...(op.input ?? {}), lastEventId } };
}

/**
 * A subscription whose connection carries a live access token: it connects
 * once the session is restored or refreshed, reconnects with the new token
 * after a refresh or a step-up (and after a refusal a refresh answers),
 * resuming from the last tracked event, and completes when the session ends
 * (logout here or in another tab, or the session lost), so no stream outlives it.
 */
export function authedSubscription(keeper: SessionKeeper, op: Operation, next: Next, refreshOn: (error: ClientError) => boolean) {
  return observable<OperationResultEnvelope<unknown, ClientError>, ClientError>((observer) => {
    let connection: Unsubscribable | undefined;
    // The token the live connection was opened with (null: none, the user being signed out).
    let connectedWith: string | null = null;
    let lastEventId: string | undefined;
    // Set when reconnecting after a refusal, cleared by the first event after it: one recovery per failure.
    let recovering = false;
    let closed = false;

    // Each connection's handlers act only while it is the live one: dropping a
    // connection on purpose makes tRPC's link complete it, which must not end ours.
    let generation = 0;

    const disconnect = (): void => {
      generation++;
      const open = connection;
      connection = undefined;
      open?.unsubscribe();
    };

    const connect = (): void => {
      const mine = ++generation;
      keeper.accessTokenForCall().then(
        (token) => {
          if (closed || mine !== generation) return;
          connectedWith = token;
          connection = next(resumingAfter(op, lastEventId)).subscribe({
            next(envelope) {
              if (mine !== generation) return;
              const result = envelope.result as { type?: string; id?: string };
              if ((result.type === undefined || result.type === "data") && result.id) lastEventId = result.id;
              if (result.type === undefined || result.type === "data" || result.type === "started") recovering = false;
              observer.next(envelope);
            },
            error(error) {
              if (mine !== generation) return;
              connection = undefined;
              if (recovering || token === null || !refreshOn(error)) {
                observer.error(error);
                return;
              }
              recovering = true;
              keeper.recoverFromRejection(token).then(
                (worthRetrying) => {
                  if (closed || mine !== generation) return;
                  if (worthRetrying) connect();
                  else observer.error(error);
                },
                () => observer.error(error),
              );
            },
            complete() {
              if (mine !== generation) return;
              connection = undefined;
              observer.complete();
            },
          });
        },
        (cause: unknown) => observer.error(TRPCClientError.from(cause instanceof Error ? cause : new Error(String(cause)))),
      );
    };

    const stopFollowing = keeper.subscribe((event) => {
      if (closed || !connection) return;
      if (event.type === "signed-out" || event.type === "session-lost") {
        // A stream opened without a token was never the session's.
        if (connectedWith === null) return;
        closed = true;
        stopFollowing();
        disconnect();
        observer.complete();
        return;
      }
      // A refresh, a step-up or a sign-in: the stream must run on the token the session now has.
      if (keeper.currentAccessToken() !== connectedWith) {
        disconnect();
        connect();
      }
    });

    connect();
    return () => {
      closed = true;
      stopFollowing();
      disconnect();
    };
  });
}
