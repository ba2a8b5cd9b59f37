import { createAuthClient, type AuthClient, type AuthClientOptions, type AuthEvent } from "../../src/index.js";
import type { GatehouseUnderTest } from "./gatehouse-server.js";
import { CookieJar, createRecordingFetch } from "./recording-fetch.js";
import { disposedWithTest } from "./test-lifetime.js";

export interface BrowserProfile {
  jar: CookieJar;
  wire: ReturnType<typeof createRecordingFetch>;
  client: AuthClient;
  /** Every event the client emitted, oldest first. */
  events: AuthEvent[];
}

/** A browser profile (cookie mode) that reads the session hint from its jar, as a page reads document.cookie; disposed when the test ends. */
export function openBrowserProfile(server: GatehouseUnderTest, options: Partial<AuthClientOptions> = {}): BrowserProfile {
  const jar = new CookieJar();
  const wire = createRecordingFetch(jar);
  const client = disposedWithTest(createAuthClient({ url: server.trpcUrl, fetch: wire.fetch, sessionHint: () => jar.get("gh_session") === "1", ...options }));
  const events: AuthEvent[] = [];
  client.subscribe((event) => events.push(event));
  return { jar, wire, client, events };
}
