import { GatehouseError } from "@gatehouse/client";
import { describe, expect, it } from "vitest";
import { describeError, fieldProblemsOf, FormError } from "../src/errors.js";

/** A TRPCClientError as `auth.api` calls reject with it: data from the body, the response in meta. */
const trpcError = (message: string, data: Record<string, unknown>, headers: Record<string, string> = {}) =>
  Object.assign(new Error(message), { data, meta: { response: new Response(null, { status: Number(data.httpStatus ?? 500), headers }) } });

describe("what the demo tells a person about an error", () => {
  it("turns rate limits and lockouts into a wait time", () => {
    expect(describeError(new GatehouseError("x", { reason: "rate_limited", status: 429, retryAfterSeconds: 30 })).message).toBe(
      "Too many attempts. Try again in 30 s.",
    );
    expect(describeError(trpcError("x", { reason: "rate_limited", httpStatus: 429 }, { "Retry-After": "7" })).message).toBe(
      "Too many attempts. Try again in 7 s.",
    );
    expect(describeError(new GatehouseError("x", { reason: "account_locked", status: 429, retryAfterSeconds: 900 })).message).toMatch(/Try again in 900 s\.$/);
    expect(describeError(new GatehouseError("x", { reason: "rate_limited", status: 429 })).message).toBe("Too many attempts. Try again later.");
  });

  it("lists validation issues by field", () => {
    const error = new GatehouseError("bad", {
      reason: "validation_failed",
      status: 400,
      issues: [
        { path: "email", message: "Enter a valid email address." },
        { path: "", message: "Something else." },
      ],
    });
    expect(describeError(error)).toEqual({ message: "Please check what you entered:", details: ["Email: Enter a valid email address.", "Something else."] });
    expect(
      describeError(trpcError("bad", { reason: "validation_failed", httpStatus: 400, issues: [{ path: "newPassword", message: "Too long." }] })).details,
    ).toEqual(["New password: Too long."]);
  });

  it("passes on the server's words where they are written for people", () => {
    expect(describeError(new GatehouseError("Use at least 8 characters.", { reason: "weak_password", status: 400 })).message).toBe(
      "Use at least 8 characters.",
    );
    expect(describeError(new GatehouseError("Email or password is incorrect.", { reason: "invalid_credentials", status: 401 })).message).toBe(
      "Email or password is incorrect.",
    );
    expect(describeError(new FormError("The new passwords do not match.")).message).toBe("The new passwords do not match.");
  });

  it("never shows a raw exception", () => {
    expect(describeError(new TypeError("Failed to fetch")).message).toBe("Cannot reach the server. Check your connection and try again.");
    expect(describeError(new GatehouseError("stack trace at x.js:1", { reason: "internal_error", status: 500 })).message).toBe(
      "Something went wrong. Please try again.",
    );
    expect(describeError(trpcError("secret detail", { httpStatus: 502 })).message).toBe("Something went wrong. Please try again.");
  });

  it("words a refused code or passkey, and the browser's own passkey refusals, never as a network failure", () => {
    expect(describeError(new GatehouseError("x", { reason: "code_invalid", status: 401 })).message).toMatch(/^That code is wrong, expired or already used/);
    expect(fieldProblemsOf(new GatehouseError("x", { reason: "code_invalid", status: 401 }))[0]?.names).toEqual(["code"]);
    expect(describeError(new GatehouseError("x", { reason: "passkey_invalid", status: 401 })).message).toMatch(/^That passkey could not be verified/);
    // What navigator.credentials rejects with (a DOMException; @simplewebauthn/browser keeps its name).
    expect(describeError(new DOMException("The operation either timed out or was not allowed.", "NotAllowedError")).message).toMatch(/^No passkey was used/);
    expect(describeError(new DOMException("excluded", "InvalidStateError")).message).toBe("This device already has a passkey for your account.");
    expect(describeError(new Error("WebAuthn is not supported in this browser")).message).toBe("This browser cannot use passkeys.");
  });

  it("says which field an error is about, where one is to blame", () => {
    const issues = new GatehouseError("bad", {
      reason: "validation_failed",
      status: 400,
      issues: [
        { path: "email", message: "Enter a valid email address." },
        { path: "name.0", message: "Too long." },
      ],
    });
    expect(fieldProblemsOf(issues)).toEqual([
      { names: ["email"], message: "Enter a valid email address." },
      { names: ["name"], message: "Too long." },
    ]);
    expect(fieldProblemsOf(new GatehouseError("Use at least 8 characters.", { reason: "weak_password", status: 400 }))).toEqual([
      { names: ["newPassword", "password"], message: "Use at least 8 characters." },
    ]);
    expect(fieldProblemsOf(new GatehouseError("This code was already used.", { reason: "mfa_invalid", status: 401 }))).toEqual([
      { names: ["code"], message: "This code was already used." },
    ]);
    expect(fieldProblemsOf(new FormError("The passwords do not match.", "repeatPassword"))).toEqual([
      { names: ["repeatPassword"], message: "The passwords do not match." },
    ]);
    expect(fieldProblemsOf(new FormError("Something about the whole form."))).toEqual([]);
    expect(fieldProblemsOf(new GatehouseError("x", { reason: "rate_limited", status: 429 }))).toEqual([]);
  });
});
