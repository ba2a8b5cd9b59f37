import type { GatehouseConfig } from "../../config.js";
import type { CatalogEntry } from "../../trpc-internals.js";
import { DEVICE_COOKIE, DEVICE_COOKIE_PATHS, REFRESH_COOKIE, REFRESH_COOKIE_PATH } from "../../cookies.js";
import { CLOCK_TOLERANCE_SECONDS } from "../../tokens/access-token.js";

export const TRPC_PATH_PREFIX = "/trpc/";

/** The credentials a client can present, as OpenAPI security schemes. */
export function securitySchemes(config: GatehouseConfig) {
  return {
    accessToken: {
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
      description: `The accessToken of a TokenSet. Lives ${config.accessTokenTtlSeconds} s (AUTH_ACCESS_TTL) and is accepted up to ${CLOCK_TOLERANCE_SECONDS} s past its exp (clock skew). Keep it in memory; refresh before it expires, or when a call answers token_expired.`,
    },
    apiKey: {
      type: "http",
      scheme: "bearer",
      bearerFormat: "gth_…",
      description: "An API key from apiKeys.create, sent as Authorization: Bearer gth_…; only procedures that name one of its scopes accept it.",
    },
    refreshCookie: {
      type: "apiKey",
      in: "cookie",
      name: REFRESH_COOKIE,
      description: `Cookie mode (browsers): the refresh token, HttpOnly; Secure; SameSite=Strict; Path=${REFRESH_COOKIE_PATH}. Token mode sends it as refreshToken in the body instead.`,
    },
    deviceCookie: {
      type: "apiKey",
      in: "cookie",
      name: DEVICE_COOKIE,
      description: `Cookie mode: the device credential of a browser that signed in before (one copy per sign-in procedure: Path=${DEVICE_COOKIE_PATHS.join(", ")}); it keeps that browser out of the lockout others can cause. Token mode sends it as deviceToken in the sign-in body.`,
    },
  };
}

const servedAt = (entry: CatalogEntry) => `${TRPC_PATH_PREFIX}${entry.path}`;

/** Which credentials the procedure accepts; `{}` marks one that also runs without any (token mode's body). */
export function securityOf(entry: CatalogEntry): Array<Record<string, string[]>> {
  const { meta } = entry;
  switch (meta.access) {
    case "public":
      return DEVICE_COOKIE_PATHS.includes(servedAt(entry)) ? [{}, { deviceCookie: [] }] : [];
    case "refresh_token":
      return servedAt(entry) === REFRESH_COOKIE_PATH ? [{ refreshCookie: [] }, {}] : [{}];
    case "session":
      return [{ accessToken: [] }, {}];
    case "api_key":
      return [{ apiKey: [] }];
    case "user":
    case "admin":
      return meta.apiKeyScope ? [{ accessToken: [] }, { apiKey: [] }] : [{ accessToken: [] }];
  }
}

/** The access rule in words, for people reading the document. */
export function describeAccess(entry: CatalogEntry, config: GatehouseConfig): string {
  const { meta } = entry;
  const sentences: string[] = [];
  switch (meta.access) {
    case "public":
      sentences.push("Access: public (no credential).");
      break;
    case "refresh_token":
      sentences.push("Access: a refresh token, from the refresh_token cookie (cookie mode) or as refreshToken in the body with X-Auth-Mode: token.");
      break;
    case "session":
      sentences.push(
        "Access: the session's access token (Authorization: Bearer; an expired one still names its session) or, with X-Auth-Mode: token, its refresh token as refreshToken in the body.",
      );
      break;
    case "user":
      sentences.push("Access: a signed-in user (Authorization: Bearer <accessToken>).");
      break;
    case "admin":
      sentences.push("Access: an admin (Authorization: Bearer <accessToken> of an admin).");
      break;
    case "api_key":
      sentences.push(
        "Access: an API key only (Authorization: Bearer gth_…); a user's access token is refused (forbidden). Queries may also be sent as POST with the input as the JSON body, which keeps a token out of URLs.",
      );
      break;
  }
  if (meta.apiKeyScope) sentences.push(`API keys with the ${meta.apiKeyScope} scope may call it too.`);
  else if (meta.access === "user" || meta.access === "admin") sentences.push("API keys are refused (forbidden).");
  if (meta.stepUp) {
    sentences.push(
      `Step-up: the password must have been entered in the last ${config.stepUpWindowSeconds / 60} min (the token's auth_time), otherwise 403 reauth_required; call auth.reauthenticate and retry with its access token.`,
    );
  }
  return sentences.join(" ");
}
