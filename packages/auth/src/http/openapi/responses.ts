import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { AuthError, defaultMessage, REASONS, type Reason } from "../../errors.js";
import { componentRef, type JsonSchema } from "./json-schemas.js";

/** The HTTP status a reason is answered with (tRPC's mapping of the reason's code). */
export const statusOfReason = (reason: Reason): number => getHTTPStatusCodeFromError(new AuthError(reason));

const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });
const jsonContent = (schema: JsonSchema) => ({ "application/json": { schema } });

/** tRPC's error envelope with our reason (docs/API.md, Errors), for every refusal. */
export const ERROR_SCHEMA: JsonSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["message", "code", "data"],
      properties: {
        message: { type: "string", description: "For people; may be shown as it is." },
        code: { type: "integer", description: "JSON-RPC error code (tRPC's)." },
        data: {
          type: "object",
          required: ["code", "httpStatus", "reason"],
          properties: {
            reason: { type: "string", enum: Object.keys(REASONS), description: "What went wrong, for programs: branch on this." },
            code: { type: "string", description: "tRPC's error code." },
            httpStatus: { type: "integer" },
            path: { type: "string", description: "The procedure called." },
            issues: {
              type: "array",
              description: "validation_failed only: which field, and what is wrong with it.",
              items: { type: "object", required: ["path", "message"], properties: { path: { type: "string" }, message: { type: "string" } } },
            },
            requestId: { type: "string", description: "Also the X-Request-Id response header: quote it when reporting a problem." },
          },
        },
      },
    },
  },
};

const described = (description: string, schema: JsonSchema = { type: "string" }) => ({ description, schema });

/** Response headers, named once and referenced by each response that carries them. */
export const HEADERS = {
  "X-Request-Id": described("Identifies this request in the server's logs (also error.data.requestId)."),
  "X-RateLimit-Limit": described("Calls allowed in the window of the tightest rule that counted this call.", { type: "integer" }),
  "X-RateLimit-Remaining": described("Calls left in that window.", { type: "integer" }),
  "X-RateLimit-Reset": described("When that window resets, in epoch seconds.", { type: "integer" }),
  "RateLimit-Policy": described('Every rule that counted this call (IETF RateLimit fields): `"login.ip";q=20;w=60`.'),
  RateLimit: described('Each rule\'s state: `"login.ip";r=19;t=60` (remaining, seconds to reset).'),
  "Retry-After": described("Seconds to wait before trying again.", { type: "integer" }),
};

const RATE_LIMIT_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "RateLimit-Policy", "RateLimit"] as const;

/** The success answer: `{"result":{"data": <output>}}`. */
export function successResponse(output: JsonSchema | undefined, setCookie: string | undefined) {
  const data = output ?? {};
  return {
    description: "Done: the procedure's output is in result.data.",
    headers: {
      "X-Request-Id": headerRef("X-Request-Id"),
      ...Object.fromEntries(RATE_LIMIT_HEADERS.map((name) => [name, headerRef(name)])),
      ...(setCookie ? { "Set-Cookie": described(setCookie) } : {}),
    },
    content: jsonContent({ type: "object", required: ["result"], properties: { result: { type: "object", required: ["data"], properties: { data } } } }),
  };
}

/** One response per status, each listing the reasons this procedure can answer with it. */
export function errorResponses(reasons: readonly Reason[]): Record<string, unknown> {
  const byStatus = new Map<number, Reason[]>();
  for (const reason of reasons) {
    const status = statusOfReason(reason);
    byStatus.set(status, [...(byStatus.get(status) ?? []), reason]);
  }
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, listed]) => [
        String(status),
        {
          description: listed.map((reason) => `\`${reason}\`: ${defaultMessage(reason)}`).join("\n\n"),
          headers: {
            "X-Request-Id": headerRef("X-Request-Id"),
            ...(status === 429 ? Object.fromEntries(RATE_LIMIT_HEADERS.map((name) => [name, headerRef(name)])) : {}),
            ...(status === 429 || status === 503 ? { "Retry-After": headerRef("Retry-After") } : {}),
          },
          content: jsonContent({
            allOf: [componentRef("Error"), { properties: { error: { properties: { data: { properties: { reason: { enum: listed } } } } } } }],
          }),
        },
      ]),
  );
}
