import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { LEGACY_STORE_KEYS, STORE_COLLECTIONS, STORE_KEYS, UPGRADE_KEYS, type KeyFamily } from "../src/store-keys.js";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");
type Name = string | KeyFamily<never[]>;
const prefixOf = (name: Name): string => (typeof name === "string" ? name : name.prefix);

describe("store keys", () => {
  it("no two kinds of record share a prefix, nor does one prefix begin another", () => {
    const current: Array<[string, Name]> = [...Object.entries(STORE_KEYS), ...Object.entries(STORE_COLLECTIONS), ...Object.entries(UPGRADE_KEYS)];
    const families = current.filter(([, name]) => typeof name !== "string").map(([what, name]) => [what, prefixOf(name)] as const);
    for (const [what, prefix] of families) {
      for (const [other, name] of current) {
        if (other === what) continue;
        expect(prefixOf(name).startsWith(prefix), `${other} (${prefixOf(name)}) lies under ${what}'s prefix ${prefix}`).toBe(false);
      }
    }
    const names = current.map(([, name]) => prefixOf(name));
    expect(new Set(names).size).toBe(names.length);
  });

  it("legacy keys lie under no current prefix but that of the record they became", () => {
    const successors: Record<string, string> = { auditHead: "audit", auditEntry: "audit", activityHead: "activityOfUser", activityEntry: "activityOfUser" };
    const current: Array<[string, Name]> = [...Object.entries(STORE_KEYS), ...Object.entries(STORE_COLLECTIONS), ...Object.entries(UPGRADE_KEYS)];
    for (const [legacy, name] of Object.entries(LEGACY_STORE_KEYS) as Array<[string, Name]>) {
      for (const [what, family] of current) {
        if (typeof family === "string" || successors[legacy] === what) continue;
        expect(prefixOf(name).startsWith(family.prefix), `legacy ${legacy} lies under ${what}`).toBe(false);
      }
    }
  });

  it("builds the keys stores have always held, byte for byte", () => {
    expect(STORE_KEYS.user("u1")).toBe("user:u1");
    expect(STORE_KEYS.userIdOfEmail("a@example.com")).toBe("user-email:a@example.com");
    expect(STORE_KEYS.session("s1")).toBe("session:s1");
    expect(STORE_KEYS.refreshToken("tok")).toBe(`refresh:${sha("tok")}`);
    expect(STORE_KEYS.rotatedRefreshToken("tok")).toBe(`refresh-rotated:${sha("tok")}`);
    expect(STORE_KEYS.apiKey("k1")).toBe("apikey:k1");
    expect(STORE_KEYS.apiKeyIdOfKey("gth_x")).toBe(`apikey-hash:${sha("gth_x")}`);
    expect(STORE_KEYS.device("dev")).toBe(`device:${sha("dev")}`);
    expect(STORE_KEYS.passkeysOfUser("u1")).toBe("passkeys:u1");
    expect(STORE_KEYS.userOfPasskey("cred")).toBe(`passkey:cred:${sha("cred")}`);
    expect(STORE_KEYS.oauthIdentity("github", "42")).toBe(`oauth-identity:github:${sha("42")}`);
    expect(STORE_KEYS.oauthLinksOfUser("u1")).toBe("oauth-links:u1");
    expect(STORE_KEYS.pendingTotpSetup("u1")).toBe("mfa-pending:u1");
    expect(STORE_KEYS.emailCode("a@example.com")).toBe("email-code:a@example.com");
    expect(STORE_KEYS.emailOfCodeLink("h")).toBe("email-code-link:h");
    expect(STORE_KEYS.seenIp("u1", "192.0.2.1")).toBe(`seen-ip:u1:${sha("192.0.2.1")}`);
    expect(STORE_KEYS.rateWindow("login.ip:ip:192.0.2.1", 7)).toBe("rl:{login.ip:ip:192.0.2.1}:7");
    expect(STORE_KEYS.attempts("login.lockout", "email:a@example.com", "n")).toBe("att:{login.lockout:email:a@example.com}:n");
    expect(STORE_KEYS.attempts("login.lockout", "email:a@example.com", "lock")).toBe("att:{login.lockout:email:a@example.com}:lock");
    expect(STORE_KEYS.resetToken("t")).toBe(`reset:${sha("t")}`);
    expect(STORE_KEYS.emailVerificationToken("t")).toBe(`verify-email:${sha("t")}`);
    expect(STORE_KEYS.mfaChallenge("t")).toBe(`mfa-login:${sha("t")}`);
    expect(STORE_KEYS.passkeyRegistration("t")).toBe(`passkey-registration:${sha("t")}`);
    expect(STORE_KEYS.passkeySignIn("t")).toBe(`passkey-sign-in:${sha("t")}`);
    expect(STORE_KEYS.oauthFlow("t")).toBe(`oauth-flow:${sha("t")}`);
    expect(STORE_COLLECTIONS).toMatchObject({ usersByTime: "users", usersByEmail: "users-by-email", audit: "audit" });
    expect(STORE_COLLECTIONS.sessionsOfUser("u1", 3)).toBe("sessions:u1:3");
    expect(STORE_COLLECTIONS.apiKeysOfUser("u1")).toBe("apikeys:u1");
    expect(STORE_COLLECTIONS.activityOfUser("u1")).toBe("activity:u1");
    expect(UPGRADE_KEYS).toEqual({
      format: "store-format",
      lease: "store-upgrade:lease",
      auditPlan: "store-upgrade:audit-plan",
      usersDone: "store-upgrade:users-done",
    });
    expect(LEGACY_STORE_KEYS).toMatchObject({ auditHead: "audit:head", userIds: "users:index" });
    expect(LEGACY_STORE_KEYS.auditEntry(12)).toBe("audit:12");
    expect(LEGACY_STORE_KEYS.sessionIdsOfUser("u1")).toBe("user-sessions:u1");
    expect(LEGACY_STORE_KEYS.apiKeyIdsOfUser("u1")).toBe("user-apikeys:u1");
    expect(LEGACY_STORE_KEYS.activityHead("u1")).toBe("activity:u1:head");
    expect(LEGACY_STORE_KEYS.activityEntry("u1", 4)).toBe("activity:u1:4");
  });
});
