import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { authLink, createAuthClient, GatehouseError, reasonOf, type ReauthPrompt, type StepUpRequest } from "../src/index.js";
import { GOOD_PASSWORD, uniqueEmail } from "./support/gatehouse-server.js";
import { createRecordingFetch } from "./support/recording-fetch.js";
import type { TeamRouter } from "./support/team-api.js";
import { useTeamApi } from "./support/test-lifetime.js";

const { gatehouse, team } = useTeamApi();

/** A prompt that confirms with `password` and remembers what it was asked. */
function promptWith(...passwords: string[]): ReauthPrompt & { asked: StepUpRequest[]; failures: unknown[] } {
  const asked: StepUpRequest[] = [];
  const failures: unknown[] = [];
  const prompt = async (request: StepUpRequest) => {
    asked.push(request);
    // Like a dialog: a wrong password is shown, and the person tries again.
    for (const password of passwords) {
      try {
        return await request.reauthenticate({ password });
      } catch (error) {
        failures.push(error);
      }
    }
    throw new Error("cancelled");
  };
  return Object.assign(prompt, { asked, failures });
}

async function signedIn(onReauthRequired?: ReauthPrompt) {
  const wire = createRecordingFetch();
  const auth = createAuthClient({
    url: gatehouse().trpcUrl,
    mode: "token",
    fetch: wire.fetch,
    now: gatehouse().clock.now,
    ...(onReauthRequired ? { onReauthRequired } : {}),
  });
  const { user } = await auth.signup({ email: uniqueEmail(), password: GOOD_PASSWORD });
  const api = createTRPCClient<TeamRouter>({ links: [authLink(auth), httpBatchLink({ url: team().url, headers: auth.authHeaders })] });
  // Past the team's five minutes, within the token's fifteen.
  gatehouse().clock.advance(6 * 60_000);
  wire.reset();
  return { auth, api, user, wire };
}

describe("onReauthRequired", () => {
  it("asks the app once, steps up and retries the refused call with the new token; no refresh needed", async () => {
    const prompt = promptWith(GOOD_PASSWORD);
    const { auth, api, user, wire } = await signedIn(prompt);
    const before = auth.authHeaders().Authorization;
    expect(await api.purge.mutate()).toBe(`purged for ${user.id}`);
    expect(prompt.asked).toHaveLength(1);
    expect(prompt.asked[0]!.user).toEqual(user);
    expect(wire.count("auth.reauthenticate")).toBe(1);
    expect(wire.count("auth.refresh")).toBe(0);
    expect(auth.authHeaders().Authorization).not.toBe(before);
    auth.dispose();
  });

  it("asks once for calls refused together, and retries them all", async () => {
    const prompt = promptWith(GOOD_PASSWORD);
    const { auth, api, wire } = await signedIn(prompt);
    const answers = await Promise.all([api.purge.mutate(), api.purge.mutate(), api.purge.mutate()]);
    expect(answers).toHaveLength(3);
    expect(prompt.asked).toHaveLength(1);
    expect(wire.count("auth.reauthenticate")).toBe(1);
    auth.dispose();
  });

  it("lets the prompt show a wrong password (invalid_credentials) and try again", async () => {
    const prompt = promptWith("not my password", GOOD_PASSWORD);
    const { auth, api } = await signedIn(prompt);
    await api.purge.mutate();
    expect(prompt.failures).toHaveLength(1);
    expect(prompt.failures[0]).toBeInstanceOf(GatehouseError);
    expect((prompt.failures[0] as GatehouseError).reason).toBe("invalid_credentials");
    auth.dispose();
  });

  it("a cancelled prompt leaves the refusal: the call fails with reauth_required and is not retried", async () => {
    const prompt = promptWith();
    const { auth, api } = await signedIn(prompt);
    const purges = () => team().requests.filter((request) => request.url.includes("purge")).length;
    const before = purges();
    const error = await api.purge.mutate().catch((caught: unknown) => caught);
    expect(reasonOf(error)).toBe("reauth_required");
    expect(prompt.asked).toHaveLength(1);
    expect(purges() - before).toBe(1);
    auth.dispose();
  });

  it("without a prompt, reauth_required reaches the caller", async () => {
    const { auth, api, wire } = await signedIn();
    expect(reasonOf(await api.purge.mutate().catch((caught: unknown) => caught))).toBe("reauth_required");
    expect(wire.count("auth.reauthenticate")).toBe(0);
    auth.dispose();
  });

  it("covers Gatehouse's own step-up procedures through client.api, and authLink may bring its own prompt", async () => {
    const clientPrompt = promptWith(GOOD_PASSWORD);
    const { auth } = await signedIn(clientPrompt);
    gatehouse().clock.advance(5 * 60_000);
    const key = await auth.api.apiKeys.create.mutate({ name: "ci", scopes: ["profile:read"] });
    expect(key.key).toMatch(/^gth_/);
    expect(clientPrompt.asked).toHaveLength(1);

    gatehouse().clock.advance(11 * 60_000);
    const linkPrompt = promptWith(GOOD_PASSWORD);
    const api = createTRPCClient<TeamRouter>({
      links: [authLink(auth, { onReauthRequired: linkPrompt }), httpBatchLink({ url: team().url, headers: auth.authHeaders })],
    });
    await api.purge.mutate();
    expect([clientPrompt.asked.length, linkPrompt.asked.length]).toEqual([1, 1]);
    auth.dispose();
  });
});
