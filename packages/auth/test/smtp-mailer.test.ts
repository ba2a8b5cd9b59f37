import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { describe, expect, it } from "vitest";
import { createSmtpMailer } from "../src/index.js";

describe("SMTP transport", () => {
  it("delivers text and HTML bodies to a real SMTP server", async () => {
    const received: Array<{ from: string; to: string[]; raw: string }> = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      onData(stream, session, done) {
        let raw = "";
        stream.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
        stream.on("end", () => {
          received.push({
            from: String(session.envelope.mailFrom && session.envelope.mailFrom.address),
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
          });
          done();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.server.address() as AddressInfo;
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${port}`, "Gatehouse <no-reply@example.com>");
    await mailer.send({ to: "ada@example.com", subject: "Reset your password", text: "plain body", html: "<p>html body</p>" });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ from: "no-reply@example.com", to: ["ada@example.com"] });
    expect(received[0]!.raw).toContain("Subject: Reset your password");
    expect(received[0]!.raw).toContain("plain body");
    expect(received[0]!.raw).toContain("<p>html body</p>");
  });
});
