import { createTRPCClient, httpSubscriptionLink, splitLink, httpBatchLink } from "@trpc/client";
import { EventSource } from "eventsource";
import { describe, expect, it } from "vitest";
import { authLink, createAuthClient, eventSourceAuth } from "../src/index.js";
import { GOOD_PASSWORD, uniqueEmail } from "./support/gatehouse-server.js";
import type { TeamRouter } from "./support/team-api.js";
import { useTeamApi } from "./support/test-lifetime.js";

const { gatehouse, team } = useTeamApi();

/** Polls until `check` holds: the stream's events arrive on their own schedule. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  if (!check()) throw new Error(`timed out waiting for ${what} (streams ${streams().length}, listening ${team().listening()})`);
}

async function subscribed() {
  const auth = createAuthClient({ url: gatehouse().trpcUrl, mode: "token", now: gatehouse().clock.now });
  const { user } = await auth.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
  const api = createTRPCClient<TeamRouter>({
    links: [
      authLink(auth),
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url: team().url, EventSource, ...eventSourceAuth(auth) }),
        false: httpBatchLink({ url: team().url, headers: auth.authHeaders }),
      }),
    ],
  });
  const received: Array<{ id: string; text: string; for: string }> = [];
  const ended = { complete: false, error: undefined as unknown };
  const connectionsBefore = streams().length;
  const listeningBefore = team().listening();
  const subscription = api.notes.subscribe(undefined, {
    onData: ({ id, data }) => received.push({ id, ...data }),
    onComplete: () => void (ended.complete = true),
    onError: (error) => void (ended.error = error),
  });
  await until(() => streams().length > connectionsBefore && team().listening() === listeningBefore + 1, "the stream to listen");
  return { auth, user, received, ended, subscription, newStreams: () => streams().slice(connectionsBefore) };
}

const streams = () => team().requests.filter((request) => request.url.startsWith("/notes"));

describe("subscriptions through authLink and httpSubscriptionLink", () => {
  it("carry the access token as Authorization: Bearer, never in the URL", async () => {
    const { auth, user, received, newStreams, subscription } = await subscribed();
    const [stream] = newStreams();
    expect(stream!.headers.authorization).toBe(auth.authHeaders().Authorization);
    expect(stream!.url).not.toContain(auth.authHeaders().Authorization!.slice("Bearer ".length));
    expect(stream!.url).not.toContain("connectionParams");
    team().publish("1", "hello");
    await until(() => received.length === 1, "the first note");
    expect(received[0]).toEqual({ id: "1", text: "hello", for: user.id });
    subscription.unsubscribe();
    auth.dispose();
  });

  it("reconnect with the new token after a refresh, resuming after the last event", async () => {
    const { auth, received, newStreams, subscription } = await subscribed();
    team().publish("7", "before");
    await until(() => received.length === 1, "the first note");
    gatehouse().clock.advance(60_000);
    await auth.refresh();
    await until(() => newStreams().length === 2 && team().listening() === 1, "the reconnection");
    const [first, second] = newStreams();
    expect(second!.headers.authorization).toBe(auth.authHeaders().Authorization);
    expect(second!.headers.authorization).not.toBe(first!.headers.authorization);
    expect(decodeURIComponent(second!.url)).toContain('"lastEventId":"7"');
    team().publish("8", "after");
    await until(() => received.length === 2, "the note after the refresh");
    expect(received.map((note) => note.text)).toEqual(["before", "after"]);
    subscription.unsubscribe();
    auth.dispose();
  });

  it("end when the user logs out", async () => {
    const { auth, ended, received } = await subscribed();
    await auth.logout();
    await until(() => ended.complete && team().listening() === 0, "the subscription to complete and its stream to close");
    expect(ended.error).toBeUndefined();
    team().publish("9", "after logout");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toEqual([]);
    auth.dispose();
  });

  it("refresh and reconnect once when the API refuses the stream's token as expired", async () => {
    // The client's clock stands still: it holds on to a token the API already finds expired.
    const stopped = gatehouse().clock.now();
    const auth = createAuthClient({ url: gatehouse().trpcUrl, mode: "token", now: () => stopped });
    await auth.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
    gatehouse().clock.advance(16 * 60_000);
    const api = createTRPCClient<TeamRouter>({ links: [authLink(auth), httpSubscriptionLink({ url: team().url, EventSource, ...eventSourceAuth(auth) })] });
    const received: string[] = [];
    const before = streams().length;
    const subscription = api.notes.subscribe(undefined, { onData: ({ data }) => received.push(data.text) });
    await until(() => streams().length === before + 2 && team().listening() === 1, "the refused stream and its reconnection");
    team().publish("1", "after the refresh");
    await until(() => received.length === 1, "the note");
    subscription.unsubscribe();
    auth.dispose();
  });
});
