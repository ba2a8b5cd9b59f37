import { describe, expect, it } from "vitest";
import { startServerProcess, tempDataDir } from "./server-process.js";

const json = { "Content-Type": "application/json" };

describe("GET /dev/mailbox.json", () => {
  it("lists the development outbox's mails, newest first, with the API's security headers and no caching", async () => {
    const server = await startServerProcess({ AUTH_DATA_DIR: tempDataDir(), AUTH_STORE_URL: "memory://" });
    try {
      const post = (procedure: string, body: unknown) =>
        fetch(`${server.url}/trpc/${procedure}`, { method: "POST", headers: json, body: JSON.stringify(body) });
      await post("auth.signup", { email: "mailbox@example.com", password: "a long enough passphrase" });
      await post("auth.requestPasswordReset", { email: "mailbox@example.com" });
      // Mails are sent after the answer: wait for the reset mail to be written.
      let mails: Array<Record<string, string>> = [];
      await expect
        .poll(async () => {
          const res = await fetch(`${server.url}/dev/mailbox.json`);
          expect(res.status).toBe(200);
          expect(res.headers.get("cache-control")).toBe("no-store");
          expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
          expect(res.headers.get("x-content-type-options")).toBe("nosniff");
          expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
          mails = (await res.json()) as typeof mails;
          return mails.map((mail) => mail.subject);
        })
        .toContain("Reset your password");
      const reset = mails[0]!;
      expect(reset.subject).toBe("Reset your password");
      expect(reset.to).toBe("mailbox@example.com");
      expect(reset.text).toMatch(/\/reset-password\?token=[\w-]+/);
      expect(Object.keys(reset).sort()).toEqual(["createdAt", "html", "subject", "text", "to"]);
      // Newest first.
      const times = mails.map((mail) => mail.createdAt);
      expect(times).toEqual([...times].sort().reverse());
    } finally {
      await server.stop();
    }
  });

  it("is not served when mails go out by SMTP", async () => {
    const server = await startServerProcess({ AUTH_DATA_DIR: tempDataDir(), AUTH_STORE_URL: "memory://", MAIL_TRANSPORT: "smtp://127.0.0.1:2525" });
    try {
      const res = await fetch(`${server.url}/dev/mailbox.json`);
      expect(res.status).toBe(404);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    } finally {
      await server.stop();
    }
  });
});
