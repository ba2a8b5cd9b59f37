import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { dataOf, GOOD_PASSWORD, reasonOf, startServer, uniqueEmail } from "./harness.js";
import { closeWhenTestEnds } from "./support/cleanup.js";

interface Received {
  headers: IncomingMessage["headers"];
  body: string;
}

async function webhookReceiver() {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closeWhenTestEnds(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

const SECRET = "webhook-secret-for-tests";

describe("alert webhook", () => {
  it("posts refresh-token reuse and a login from a new IP, signed with HMAC-SHA256 over timestamp and body", async () => {
    const hook = await webhookReceiver();
    const server = await startServer({ alertWebhookUrl: hook.url, alertWebhookSecret: SECRET, trustProxy: 1 });
    const email = uniqueEmail();
    const signup = dataOf(
      await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token", headers: { "X-Forwarded-For": "198.51.100.1" } }),
    );
    await server.call("auth.login", { email, password: GOOD_PASSWORD }, { headers: { "X-Forwarded-For": "198.51.100.1" } });
    await server.call("auth.login", { email, password: GOOD_PASSWORD }, { headers: { "X-Forwarded-For": "203.0.113.9" } });
    await server.call("auth.refresh", { refreshToken: signup.refreshToken }, { mode: "token" });
    server.clock.advance(11_000);
    await server.call("auth.refresh", { refreshToken: signup.refreshToken }, { mode: "token" });
    await server.services.events.drain();

    const kinds = hook.received.map((r) => JSON.parse(r.body).kind);
    expect(kinds.sort()).toEqual(["login_new_ip", "refresh_token_reuse"]);
    for (const { headers, body } of hook.received) {
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(headers["x-gatehouse-signature"]))!;
      expect(createHmac("sha256", SECRET).update(`${t}.${body}`).digest("hex")).toBe(v1);
      expect(Math.abs(Number(t) - server.clock.now() / 1000)).toBeLessThan(60);
      expect(body).not.toContain(signup.refreshToken);
    }
    expect(JSON.parse(hook.received.find((r) => r.body.includes("login_new_ip"))!.body)).toMatchObject({ ip: "203.0.113.9", userId: signup.user.id });
  });

  it("a failing webhook is logged and does not fail the request", async () => {
    const server = await startServer({ alertWebhookUrl: "http://127.0.0.1:9/unreachable", alertWebhookSecret: SECRET });
    const signup = dataOf(await server.call("auth.signup", { email: uniqueEmail(), password: GOOD_PASSWORD }, { mode: "token" }));
    await server.call("auth.refresh", { refreshToken: signup.refreshToken }, { mode: "token" });
    server.clock.advance(11_000);
    const reuse = await server.call("auth.refresh", { refreshToken: signup.refreshToken }, { mode: "token" });
    expect(reasonOf(reuse)).toBe("refresh_reused");
    await server.services.events.drain();
    expect(server.logLines().some((l) => l.event === "alert_failed" && l.kind === "refresh_token_reuse")).toBe(true);
  });
});
