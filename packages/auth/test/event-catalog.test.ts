import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { eventCatalog, type EventName } from "../src/events/catalog.js";
import { createEvents } from "../src/events/events.js";
import { createLogger } from "../src/log.js";

const namesWhere = (flag: "audited" | "alerted" | "activity"): string[] =>
  (Object.keys(eventCatalog) as EventName[]).filter((name) => (eventCatalog[name] as { [key: string]: unknown })[flag] === true).sort();

describe("the event catalog", () => {
  it("sends to the audit trail, the alert webhook and the activity the events that went there before it", () => {
    expect(namesWhere("audited")).toEqual(
      [
        "signup",
        "login_success",
        "logout",
        "login_locked",
        "refresh_token_reuse",
        "password_changed",
        "password_reset",
        "email_verified",
        "mfa_enabled",
        "mfa_disabled",
        "api_key_created",
        "api_key_revoked",
        "role_changed",
        "account_locked_by_admin",
        "account_unlocked_by_admin",
        "account_linked",
        "account_unlinked",
        "email_code_requested",
        "passkey_added",
        "passkey_renamed",
        "passkey_removed",
        "passkey_counter_regressed",
      ].sort(),
    );
    expect(namesWhere("alerted")).toEqual(
      ["refresh_token_reuse", "login_locked", "login_new_ip", "account_locked_by_admin", "passkey_counter_regressed"].sort(),
    );
    expect(namesWhere("activity")).toEqual(
      [
        "signup",
        "login_success",
        "login_failed",
        "login_new_ip",
        "logout",
        "refresh_token_reuse",
        "reauthenticated",
        "password_changed",
        "password_reset",
        "email_verified",
        "mfa_enabled",
        "mfa_disabled",
        "api_key_created",
        "api_key_revoked",
        "account_locked_by_admin",
        "account_linked",
        "account_unlinked",
        "email_code_requested",
        "passkey_added",
        "passkey_renamed",
        "passkey_removed",
        "passkey_counter_regressed",
      ].sort(),
    );
  });

  it("logs an event at its catalogued level and records it in its sinks", async () => {
    const lines: Array<{ level: string; event: string }> = [];
    const destination = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(JSON.parse(chunk.toString())), done()) });
    const audited: string[] = [];
    const shown: string[] = [];
    const events = createEvents({
      logger: createLogger({ destination }),
      audit: { append: async (fields) => audited.push(fields.action) },
      activity: { append: async (_userId, entry) => shown.push(entry.event) },
      emailKey: new Uint8Array(32),
    });
    const request = { ip: "192.0.2.1", userAgent: "test", requestId: "r1" };
    events.emit("login_failed", { userId: "u1", request });
    events.emit("login_locked", { userId: "u1", request });
    await events.settle(request);
    expect(lines.map((line) => [line.level, line.event])).toEqual([
      ["info", "login_failed"],
      ["warn", "login_locked"],
    ]);
    expect(audited).toEqual(["login_locked"]);
    expect(shown).toEqual(["login_failed"]);
    // A name outside the catalog does not typecheck.
    // @ts-expect-error "login_sucess" is not an event
    const typo = () => events.emit("login_sucess", { request });
    expect(typo).toBeTypeOf("function");
  });
});
