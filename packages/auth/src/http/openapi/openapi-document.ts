import { readFileSync } from "node:fs";
import type { AnyTRPCRouter } from "@trpc/server";
import type { GatehouseConfig } from "../../config.js";
import { mfaChallengeOutput } from "../../features/sign-in/schema.js";
import { tokenSetOutput } from "../../features/sessions/schema.js";
import { publicUserSchema } from "../../features/users/user-record.js";
import { catalogOf } from "../../trpc-internals.js";
import { okOutput } from "../../trpc.js";
import { componentName, createSchemaSet } from "./json-schemas.js";
import { describeTransport } from "./overview.js";
import { operationOf } from "./operation.js";
import { ERROR_SCHEMA, HEADERS } from "./responses.js";
import { securitySchemes, TRPC_PATH_PREFIX } from "./security.js";

// Shared by several procedures: one named component each, so generated clients get one type.
const NAMED_OUTPUTS = { PublicUser: publicUserSchema, TokenSet: tokenSetOutput, MfaChallenge: mfaChallengeOutput, Ok: okOutput };

// src/http/openapi/ and dist/http/openapi/ alike sit three levels below the package.
const { version } = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };

/**
 * The OpenAPI 3.1 description of every procedure `router` serves (docs/API.md
 * lists the same), built from the router's own validators, declared access and limits,
 * and the server's configuration (lifetimes, limits as configured).
 */
export function createOpenApiDocument(router: AnyTRPCRouter, config: GatehouseConfig) {
  const inputs = createSchemaSet("input");
  const outputs = createSchemaSet("output");
  for (const [name, schema] of Object.entries(NAMED_OUTPUTS)) outputs.add(schema, name);

  const paths: Record<string, Record<string, unknown>> = {};
  for (const entry of catalogOf(router)) {
    const schemas = {
      ...(entry.input ? { input: inputs.add(entry.input, componentName(entry.path, "Input")) } : {}),
      ...(entry.output ? { output: outputs.add(entry.output, componentName(entry.path, "Output")) } : {}),
    };
    const { method, operation } = operationOf(entry, config, schemas);
    paths[`${TRPC_PATH_PREFIX}${entry.path}`] = { [method]: operation };
  }

  const inputComponents = inputs.toComponents();
  const outputComponents = outputs.toComponents();
  const clash = Object.keys(inputComponents).find((name) => name in outputComponents);
  if (clash) throw new Error(`OpenAPI: ${clash} names both an input and an output schema`);

  return {
    openapi: "3.1.0",
    info: { title: "Gatehouse", version, description: describeTransport(config) },
    servers: [{ url: "/", description: "This server" }],
    tags: [...new Set(Object.keys(paths).map((path) => path.slice(TRPC_PATH_PREFIX.length).split(".")[0]!))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { ...inputComponents, ...outputComponents, Error: ERROR_SCHEMA },
      headers: HEADERS,
      securitySchemes: securitySchemes(config),
    },
  };
}

export type OpenApiDocument = ReturnType<typeof createOpenApiDocument>;
