import { TRPCError } from "@trpc/server";
import { expect } from "vitest";
import { appRouter, type Reason } from "../../src/index.js";
import { reasonOf } from "../../src/trpc.js";
import { createTestServices, GOOD_PASSWORD, uniqueEmail, type StartOptions, type TestServices } from "../harness.js";
export { challengeIn, tokensOf } from "./wire.js";
/** The reason a refusal carries, as a client reads it from `error.data.reason`. */
export { reasonOf as reasonOfError } from "../../src/trpc.js";
import { createCallContext } from "../../src/testing.js";
import { closeWhenTestEnds } from "./cleanup.js";

/** The router's procedures, called in process: inputs and outputs typed from AppRouter. */
export type Caller = ReturnType<typeof appRouter.createCaller>;

/** What an HTTP request would carry, for a call made in process. */
export interface CallOptions {
  ip?: string;
  userAgent?: string;
  requestId?: string;
  /** Token mode unless said otherwise: refresh and device tokens travel in bodies. */
  authMode?: "cookie" | "token";
  bearerToken?: string;
  cookies?: Record<string, string>;
}

let calls = 0;

export interface Account {
  email: string;
  password: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
  deviceToken: string;
}

export interface Gatehouse extends Omit<TestServices, "closeStore"> {
  /** An anonymous caller in token mode: refresh and device tokens travel in bodies. */
  api: Caller;
  /** A caller with its own transport facts (mode, cookies, IP, what it was sent). */
  caller(options?: CallOptions): Caller;
  /** A caller acting with `who`'s access token (or an API key), in token mode. */
  as(who: { accessToken: string } | string): Caller;
  /** A new account, signed up in token mode. */
  signUp(options?: { email?: string; password?: string; name?: string }): Promise<Account>;
  close(): Promise<void>;
}

/**
 * Gatehouse's services behind `appRouter.createCaller`, for behaviour tests
 * where HTTP is not what is tested: a fake clock and a real store. Each call
 * gets a fresh context, as each request would.
 */
export async function startGatehouse(options: Omit<StartOptions, "port"> = {}): Promise<Gatehouse> {
  const { closeStore, ...underTest } = await createTestServices(options);
  const caller = ({ ip = "127.0.0.1", userAgent = "node", requestId, authMode = "token", bearerToken, cookies }: CallOptions = {}): Caller =>
    appRouter.createCaller(() =>
      createCallContext(underTest.services, { meta: { ip, userAgent, requestId: requestId ?? `call-${(calls += 1)}` }, authMode, bearerToken, cookies }),
    );
  const api = caller();
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= closeStore());
  closeWhenTestEnds(close);
  return {
    ...underTest,
    api,
    caller,
    as: (who) => caller({ bearerToken: typeof who === "string" ? who : who.accessToken }),
    async signUp({ email = uniqueEmail(), password = GOOD_PASSWORD, name } = {}) {
      const tokens = await api.auth.signup({ email, password, ...(name ? { name } : {}) });
      if (!tokens.refreshToken || !tokens.deviceToken) throw new Error("signup in token mode handed out no refresh or device token");
      return { email, password, userId: tokens.user.id, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, deviceToken: tokens.deviceToken };
    },
    close,
  };
}

/** The error a call was refused with; fails the test if the call succeeded. */
export async function errorOf(call: Promise<unknown>): Promise<TRPCError> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error, "the call was not refused").toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

/** The reason a call was refused with, as a client would read it from `error.data.reason`. */
export async function refusalOf(call: Promise<unknown>): Promise<Reason> {
  return reasonOf(await errorOf(call));
}
