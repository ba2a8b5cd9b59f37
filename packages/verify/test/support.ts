import { expect } from "vitest";
import { dataOf, GOOD_PASSWORD, uniqueEmail, type TestServer } from "../../auth/test/harness.js";
import { VerifyError, type RefusalReason } from "../src/index.js";

// A real Gatehouse on a real port, with the fake clock its tokens are issued by.
export { dataOf, GOOD_PASSWORD, startServer, type InputOf, type ProcedurePath, type TestServer } from "../../auth/test/harness.js";
export { createFakeClock } from "@gatehouse/store/testing";
export { createEcKeyRing, createSecretKeyRing } from "../../auth/src/index.js";

export interface Account {
  id: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

/** Signs up through the API; an admin is promoted in the store, as an operator would. */
export async function signUp(server: TestServer, role: "user" | "admin" = "user"): Promise<Account> {
  const email = uniqueEmail(role);
  const res = await server.call("auth.signup", { email, password: GOOD_PASSWORD }, { mode: "token" });
  const { accessToken, refreshToken, user } = dataOf(res);
  if (role === "admin") await server.services.users.update(user.id, (u) => ({ ...u, role: "admin" }));
  return { id: user.id, email, accessToken, refreshToken: refreshToken! };
}

/** An admin's API key for `auth.introspect`. */
export async function introspectionKey(server: TestServer): Promise<{ admin: Account; key: string }> {
  const admin = await signUp(server, "admin");
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
export const requestsTo = (server: TestServer, path: string): number => server.logLines().filter((line) => line.event === "request" && line.path === path).length;
