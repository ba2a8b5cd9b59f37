import type { GatehouseConfig } from "../../config.js";
import type { CatalogEntry } from "../../trpc-internals.js";
import type { LimitSubject } from "../../call-limits.js";
import { formatWindow } from "../../rate-limit/limit-rules.js";
import { DEVICE_COOKIE, DEVICE_COOKIE_PATHS, REFRESH_COOKIE, REFRESH_COOKIE_PATH } from "../../cookies.js";
import { componentRef, inputIsOptional } from "./json-schemas.js";
import { noteOf } from "./procedure-notes.js";
import { reasonsOf } from "./reasons.js";
import { errorResponses, successResponse } from "./responses.js";
import { describeAccess, securityOf } from "./security.js";

const SUBJECTS: Record<LimitSubject, string> = {
  ip: "per IP address",
  email: "per email address",
  email_or_device: "per email address (per device for a device that signed in to it before)",
  user: "per user",
  email_or_user: "per email address (the input's, else the signed-in caller's)",
};

function describeLimits({ meta }: CatalogEntry, config: GatehouseConfig): string {
  const rate = (rule: keyof GatehouseConfig["limits"]) => `${config.limits[rule].max}/${formatWindow(config.limits[rule].windowSeconds)}`;
  const rules = meta.limits?.length
    ? meta.limits.map(({ rule, by }) => `${rule} ${rate(rule)} ${SUBJECTS[by]}`)
    : [`default ${rate("default")} per user, API key or IP address`];
  return `Rate limits: ${rules.join("; ")}. Past a limit: 429 rate_limited with Retry-After.`;
}

const AUTH_MODE_PARAMETER = {
  name: "X-Auth-Mode",
  in: "header",
  required: false,
  schema: { type: "string", enum: ["token"] },
  description:
    "token: the refresh token (and device credential) travel in the JSON body, in and out, and no cookie is set (mobile apps, CLIs, servers). Without it (cookie mode, browsers) they travel only in HttpOnly cookies.",
};

const SET_COOKIE = `Cookie mode only: sets or clears ${REFRESH_COOKIE} (HttpOnly; Secure; SameSite=Strict; Path=${REFRESH_COOKIE_PATH}; Max-Age) and, on sign-in, ${DEVICE_COOKIE} (one copy per sign-in procedure: Path=${DEVICE_COOKIE_PATHS.join(", ")}).`;

/** One procedure as an OpenAPI operation: queries are GETs with `?input=`, mutations POSTs with a JSON body. */
export function operationOf(entry: CatalogEntry, config: GatehouseConfig, schemas: { input?: string; output?: string }) {
  const note = noteOf(entry.path);
  const { meta } = entry;
  const inputRequired = entry.input !== undefined && !inputIsOptional(entry.input);
  const parameters: unknown[] = [];
  if (entry.kind === "query" && schemas.input) {
    parameters.push({
      name: "input",
      in: "query",
      required: inputRequired,
      description: "The input as JSON, URL-encoded: ?input=%7B%22limit%22%3A5%7D.",
      content: { "application/json": { schema: componentRef(schemas.input) } },
    });
  }
  if (note.authMode) parameters.push(AUTH_MODE_PARAMETER);

  const operation = {
    operationId: entry.path,
    tags: [entry.path.slice(0, entry.path.indexOf("."))],
    summary: note.summary,
    description: [describeAccess(entry, config), describeLimits(entry, config)].join("\n\n"),
    security: securityOf(entry),
    ...(parameters.length ? { parameters } : {}),
    ...(entry.kind === "mutation" && schemas.input
      ? { requestBody: { required: inputRequired, content: { "application/json": { schema: componentRef(schemas.input) } } } }
      : {}),
    responses: {
      "200": successResponse(schemas.output ? componentRef(schemas.output) : undefined, note.authMode ? SET_COOKIE : undefined),
      ...errorResponses(reasonsOf(entry)),
    },
    "x-gatehouse-kind": entry.kind,
    "x-gatehouse-access": meta.access,
    ...(meta.apiKeyScope ? { "x-gatehouse-api-key-scope": meta.apiKeyScope } : {}),
    ...(meta.stepUp ? { "x-gatehouse-step-up": true } : {}),
  };
  return { method: entry.kind === "query" ? ("get" as const) : ("post" as const), operation };
}
