import { describe, expect, it } from "vitest";
import { createAuthClient, GatehouseError, type AuthEvent } from "../src/index.js";
import { GOOD_PASSWORD, uniqueEmail } from "./support/gatehouse-server.js";
import { CookieJar, createRecordingFetch } from "./support/recording-fetch.js";
import { disposedWithTest, useGatehouse } from "./support/test-lifetime.js";

const gatehouse = useGatehouse();

async function signedUp(email = uniqueEmail()) {
  const client = disposedWithTest(createAuthClient({ url: gatehouse().trpcUrl, fetch: createRecordingFetch(new CookieJar()).fetch }));
  const events: AuthEvent[] = [];
  client.subscribe((event) => events.push(event));
  await client.signup({ email, password: GOOD_PASSWORD });
  return { client, events, email };
}

/** An admin as ADMIN_EMAIL makes one: the role is set in the store, which the server reads on every call. */
async function signedUpAdmin() {
  const admin = await signedUp();
  await gatehouse().services.users.update(admin.client.user!.id, (user) => ({ ...user, role: "admin" }));
  return admin;
}

describe("sessions, API keys, activity and the profile", () => {
  it("lists and revokes the user's sessions; the revoked device loses its session", async () => {
    const { client, email } = await signedUp();
    const other = disposedWithTest(createAuthClient({ url: gatehouse().trpcUrl, fetch: createRecordingFetch(new CookieJar()).fetch }));
    await other.login({ email, password: GOOD_PASSWORD });

    const sessions = await client.sessions.list();
    expect(sessions).toHaveLength(2);
    const foreign = sessions.find((session) => !session.current)!;
    await expect(client.sessions.revoke({ id: foreign.id })).resolves.toBeUndefined();
    expect(await client.sessions.list()).toEqual([expect.objectContaining({ current: true })]);
    await expect(other.refresh()).resolves.toBeNull();
    await expect(client.sessions.revoke({ id: foreign.id })).rejects.toMatchObject({ reason: "not_found", status: 404 });
  });

  it("creates (shown once), lists and revokes API keys", async () => {
    const { client } = await signedUp();
    const created = await client.apiKeys.create({ name: "CI", scopes: ["profile:read"], expiresInDays: 30 });
    expect(created).toMatchObject({ key: expect.stringMatching(/^gth_/), scopes: ["profile:read"] });
    const listed = await client.apiKeys.list();
    expect(listed).toEqual([expect.objectContaining({ id: created.id, name: "CI", prefix: created.prefix })]);
    expect(JSON.stringify(listed)).not.toContain(created.key);
    await client.apiKeys.revoke({ id: created.id });
    expect(await client.apiKeys.list()).toEqual([]);
  });

  it("pages the user's own activity, newest first", async () => {
    const { client, email } = await signedUp();
    await client.logout();
    await client.login({ email, password: GOOD_PASSWORD });
    const first = await client.activity.list({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const rest = await client.activity.list({ cursor: first.nextCursor!, limit: 100 });
    const events = [...first.items, ...rest.items].map((item) => item.event);
    expect(events.at(-1)).toBe("signup");
    expect(events).toContain("logout");
  });

  it("users.update changes the name and emits user-updated; users.get reads a record the caller may see", async () => {
    const { client, events } = await signedUp();
    const user = await client.users.update({ name: "Ada" });
    expect(user.name).toBe("Ada");
    expect(client.user?.name).toBe("Ada");
    expect(events.at(-1)).toEqual({ type: "user-updated", user });
    expect(await client.users.get({ id: user.id })).toEqual(user);
    const stranger = await signedUp();
    await expect(client.users.get({ id: stranger.client.user!.id })).rejects.toMatchObject({ reason: "not_found" });
    // A field the server does not let the user set fails the whole request.
    await expect(client.users.update({ name: "Ada", role: "admin" } as never)).rejects.toMatchObject({ reason: "validation_failed" });
  });
});

describe("admin", () => {
  it("lists users, locks and unlocks one (its sessions end at once), changes a role, and reads and verifies the audit log", async () => {
    const { client: admin } = await signedUpAdmin();
    const target = await signedUp();
    const targetId = target.client.user!.id;

    const listed = await admin.admin.listUsers();
    expect(listed.items.map((user) => user.id)).toContain(targetId);

    await admin.admin.lockUser({ userId: targetId, reason: "suspicious sign-ins" });
    await expect(target.client.api.auth.me.query()).rejects.toSatisfy((error) => error instanceof Error);
    expect(target.client.status).toBe("signed-out");
    expect(target.events.at(-1)).toMatchObject({ type: "session-lost" });
    await expect(target.client.login({ email: target.email, password: GOOD_PASSWORD })).rejects.toMatchObject({ reason: "account_disabled" });
    await admin.admin.unlockUser({ userId: targetId });
    await expect(target.client.login({ email: target.email, password: GOOD_PASSWORD })).resolves.toMatchObject({ status: "signed-in" });

    const promoted = await admin.admin.setRole({ userId: targetId, role: "admin" });
    expect(promoted).toMatchObject({ id: targetId, role: "admin" });

    const audit = await admin.admin.auditLog({ limit: 100 });
    expect(audit.items.map((entry) => entry.action)).toEqual(expect.arrayContaining(["role_changed"]));
    await expect(admin.admin.verifyAuditLog()).resolves.toMatchObject({ ok: true, checked: expect.any(Number) });
  });

  it("refuses a user who is not an admin with a GatehouseError", async () => {
    const { client } = await signedUp();
    const refused = await client.admin.listUsers().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GatehouseError);
    expect(refused).toMatchObject({ reason: "forbidden", status: 403 });
  });
});
