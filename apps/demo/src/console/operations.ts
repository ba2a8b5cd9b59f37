/**
 * The procedures as /openapi.json describes them, read for the console: the
 * document is the only source, so the console lists whatever the server serves.
 */

export type JsonSchema = { [key: string]: unknown };

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  content?: Record<string, { schema: JsonSchema }>;
}

interface Operation {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  "x-gatehouse-access"?: string;
}

export interface ApiDocument {
  paths: Record<string, Partial<Record<"get" | "post", Operation>>>;
  components: { schemas: Record<string, JsonSchema> };
}

export interface ConsoleOperation {
  /** The procedure, e.g. `auth.me`. */
  id: string;
  method: "GET" | "POST";
  /** e.g. `/trpc/auth.me`. */
  path: string;
  group: string;
  summary: string;
  description: string;
  /** Absent when the procedure takes no input. */
  input?: { schema: JsonSchema; required: boolean };
  /** Declares `X-Auth-Mode` (where the refresh token travels). */
  takesAuthMode: boolean;
  /** Accepts `Authorization: Bearer <accessToken>`. */
  acceptsAccessToken: boolean;
}

export function operationsOf(doc: ApiDocument): ConsoleOperation[] {
  const operations: ConsoleOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ["get", "post"] as const) {
      const operation = item[method];
      if (!operation) continue;
      const query = operation.parameters?.find((p) => p.in === "query" && p.name === "input");
      const body = operation.requestBody;
      const schema = (method === "get" ? query?.content : body?.content)?.["application/json"]?.schema;
      operations.push({
        id: operation.operationId,
        method: method === "get" ? "GET" : "POST",
        path,
        group: operation.tags?.[0] ?? "other",
        summary: operation.summary ?? "",
        description: operation.description ?? "",
        ...(schema ? { input: { schema, required: Boolean(method === "get" ? query?.required : body?.required) } } : {}),
        takesAuthMode: operation.parameters?.some((p) => p.in === "header" && p.name === "X-Auth-Mode") ?? false,
        acceptsAccessToken: operation.security?.some((requirement) => "accessToken" in requirement) ?? false,
      });
    }
  }
  return operations;
}

const REF_PREFIX = "#/components/schemas/";
const MAX_DEPTH = 8;

/**
 * A starting input that a person edits: the required fields (and those with a
 * default), each filled with the schema's example, default or an empty value
 * of its type.
 */
export function exampleOf(schema: JsonSchema, doc: ApiDocument, depth = 0): unknown {
  const ref = schema.$ref;
  if (typeof ref === "string" && ref.startsWith(REF_PREFIX)) {
    const target = doc.components.schemas[ref.slice(REF_PREFIX.length)];
    return target && depth < MAX_DEPTH ? exampleOf(target, doc, depth + 1) : null;
  }
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if ("default" in schema) return schema.default;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const choices = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (choices?.[0]) return exampleOf(choices[0], doc, depth + 1);
  const type = Array.isArray(schema.type) ? (schema.type as string[]).find((t) => t !== "null") : schema.type;
  switch (type) {
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((schema.required ?? []) as string[]);
      const example: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(properties)) {
        if (required.has(name) || "default" in property) example[name] = exampleOf(property, doc, depth + 1);
      }
      return example;
    }
    case "array": {
      const items = schema.items as JsonSchema | undefined;
      return Number(schema.minItems ?? 0) > 0 && items ? [exampleOf(items, doc, depth + 1)] : [];
    }
    case "integer":
    case "number":
      return typeof schema.minimum === "number" ? schema.minimum : 0;
    case "boolean":
      return false;
    case "string":
      return "";
    default:
      return null;
  }
}
