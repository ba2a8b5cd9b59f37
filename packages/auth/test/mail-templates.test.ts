import { describe, expect, it } from "vitest";
import { passwordResetMail, verifyEmailMail } from "../src/mail/templates.js";

describe("mail templates", () => {
  it("put the link in the HTML body as a real <a href>, escaped, and as the bare URL in the text body", () => {
    const link = "https://app.example.com/reset-password?token=abc&x=\"'<>";
    const reset = passwordResetMail("ada@example.com", link);
    const escaped = "https://app.example.com/reset-password?token=abc&amp;x=&quot;&#39;&lt;&gt;";
    expect(reset.html).toContain(`<a href="${escaped}">Choose a new password</a>`);
    expect(reset.html).not.toContain(link);
    expect(reset.text).toContain(`\n\n${link}\n\n`);

    const verify = verifyEmailMail("ada@example.com", "https://app.example.com/verify-email?token=xyz");
    expect(verify.html).toContain('<a href="https://app.example.com/verify-email?token=xyz">Confirm your email address</a>');
    expect(verify.text).toContain("https://app.example.com/verify-email?token=xyz");
  });
});
