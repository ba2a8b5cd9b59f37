import type { GatehouseConfig } from "../../config.js";
import { DEVICE_TTL_SECONDS } from "../../features/devices/device-store.js";
import { MFA_TOKEN_TTL_MS } from "../../features/mfa/mfa-service.js";
import { formatWindow } from "../../rate-limit/limit-rules.js";
import { CLOCK_TOLERANCE_SECONDS } from "../../tokens/access-token.js";

const days = (seconds: number) => `${seconds / 86_400} days`;

/** The document's introduction: how calls travel, and the lifetimes as this server is configured. */
export function describeTransport(config: GatehouseConfig): string {
  return [
    "Authentication for your apps, as tRPC v11 procedures over plain HTTP + JSON (no transformer): any HTTP library can call them.",
    "**Calls.** A query is `GET /trpc/<procedure>?input=<URL-encoded JSON>`; a mutation is `POST /trpc/<procedure>` with the input as the JSON body (`Content-Type: application/json`; leave the body out when there is no input). " +
      `An answer is \`{"result":{"data": …}}\`; a refusal is \`{"error":{"message", "code", "data":{"reason", "httpStatus", …}}}\`: branch on \`error.data.reason\`. ` +
      `Bodies are limited to ${config.maxBodyBytes / 1024 / 1024} MiB; tRPC batching (\`/trpc/a,b?batch=1\`) takes up to ${config.maxBatchSize} calls.`,
    "**Two transports.** Browsers use cookie mode (the default): the refresh token lives only in an HttpOnly cookie. Mobile apps, CLIs and servers send `X-Auth-Mode: token` on the calls that take or give a refresh token: it then travels in the JSON body (`refreshToken`) and no cookie is set. Access tokens always travel as `Authorization: Bearer <accessToken>`.",
    `**Lifetimes.** Access token: ${config.accessTokenTtlSeconds} s (\`expiresIn\`), accepted up to ${CLOCK_TOLERANCE_SECONDS} s past its \`exp\` for clock skew. ` +
      `Refresh token: rotated on every use; expires after ${days(config.refreshIdleTtlSeconds)} unused and ${days(config.refreshAbsoluteTtlSeconds)} after sign-in (\`refreshExpiresIn\`); a spent one presented again within ${config.refreshReuseGraceSeconds} s gets the same successor, after that it ends the session (\`refresh_reused\`). ` +
      `mfaToken: ${MFA_TOKEN_TTL_MS / 60_000} min. Device credential (\`deviceToken\`): ${days(DEVICE_TTL_SECONDS)}. Step-up window: ${formatWindow(config.stepUpWindowSeconds)} since the password was entered.`,
  ].join("\n\n");
}
