import { expect } from "vitest";
import { dataOf, signUpAccount, type TestServer, type WireAccount } from "../../auth/test/harness.js";
import { VerifyError, type RefusalReason } from "../src/index.js";

// A real Gatehouse on a real port, with the fake clock its tokens are issued by.
export { dataOf, GOOD_PASSWORD, startServer, type InputOf, type ProcedurePath, type TestServer } from "../../auth/test/harness.js";
export { createFakeClock } from "@gatehouse/store/testing";
export { createEcKeyRing, createSecretKeyRing } from "../../auth/src/index.js";

export { signUpAccount as signUp, type WireAccount as Account } from "../../auth/test/harness.js";

/** An admin's API key for `auth.introspect`. */
export async function introspectionKey(server: TestServer): Promise<{ admin: WireAccount; key: string }> {
  const admin = await signUpAccount(server, "admin");
  const created = await server.call("apiKeys.create", { name: "service", scopes: ["tokens:introspect"] }, { bearer: admin.accessToken });
  return { admin, key: dataOf(created).key };
}

/** The reason a verification was refused with; fails the test if it was not refused with a VerifyError. */
export async function refusal(verification: Promise<unknown>): Promise<RefusalReason> {
  const error = await verification.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the verification was not refused").toBeInstanceOf(VerifyError);
  return (error as VerifyError).reason;
}

/** How many requests the server has logged for a path. */
export const requestsTo = (server: TestServer, path: string): number =>
  server.logLines().filter((line) => line.event === "request" && line.path === path).length;
