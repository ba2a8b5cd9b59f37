import { Ajv2020 } from "ajv/dist/2020.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- an OpenAPI document read as plain JSON */
type Json = any;

const DOC_ID = "https://gatehouse.test/openapi.json";
const pointer = (...segments: string[]) => `${DOC_ID}#/${segments.map((s) => s.replaceAll("~", "~0").replaceAll("/", "~1")).join("/")}`;

export interface DocCall {
  input?: unknown;
  bearer?: string;
  /** Sends `X-Auth-Mode: token`, which the operation must declare. */
  tokenMode?: boolean;
}

export interface DocAnswer {
  status: number;
  body: Json;
  headers: Headers;
}

/**
 * A client that knows nothing but the OpenAPI document: it finds a procedure
 * by operationId, sends the input the way the document says (query parameter
 * or JSON body), refuses an input or header the document does not allow, and
 * checks that the answer's status is documented and its body matches the
 * documented schema.
 */
export function createDocClient(baseUrl: string, doc: Json) {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema(doc, DOC_ID);

  const check = (ref: string, value: unknown, what: string): void => {
    const validate = ajv.getSchema(ref);
    if (!validate) throw new Error(`no schema at ${ref}`);
    if (!validate(value)) throw new Error(`${what} does not match the document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value)}`);
  };

  const find = (operationId: string) => {
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, operation] of Object.entries<Json>(item)) if (operation.operationId === operationId) return { path, method, operation };
    }
    throw new Error(`the document has no operation ${operationId}`);
  };

  return {
    async call(operationId: string, options: DocCall = {}): Promise<DocAnswer> {
      const { path, method, operation } = find(operationId);
      const headers: Record<string, string> = {};
      const parameters: Json[] = operation.parameters ?? [];
      let url = `${baseUrl}${path}`;
      let body: string | undefined;
      if (options.tokenMode) {
        const declared = parameters.find((p) => p.in === "header" && p.name === "X-Auth-Mode");
        if (!declared?.schema.enum.includes("token")) throw new Error(`${operationId} does not take X-Auth-Mode: token`);
        headers["X-Auth-Mode"] = "token";
      }
      if (options.bearer) {
        const schemes = (operation.security as Json[]).flatMap((requirement) => Object.keys(requirement));
        const scheme = options.bearer.startsWith("gth_") ? "apiKey" : "accessToken";
        if (!schemes.includes(scheme)) throw new Error(`${operationId} does not accept the ${scheme} scheme`);
        headers.Authorization = `Bearer ${options.bearer}`;
      }
      if (options.input !== undefined) {
        const index = parameters.findIndex((p) => p.in === "query" && p.name === "input");
        if (method === "get" && index >= 0) {
          check(pointer("paths", path, method, "parameters", String(index), "content", "application/json", "schema"), options.input, `${operationId}'s input`);
          url += `?input=${encodeURIComponent(JSON.stringify(options.input))}`;
        } else if (method === "post" && operation.requestBody) {
          check(pointer("paths", path, method, "requestBody", "content", "application/json", "schema"), options.input, `${operationId}'s input`);
          headers["Content-Type"] = "application/json";
          body = JSON.stringify(options.input);
        } else {
          throw new Error(`${operationId} takes no input`);
        }
      }
      const response = await fetch(url, { method: method.toUpperCase(), headers, body });
      const text = await response.text();
      const answer = { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
      if (!operation.responses[String(answer.status)]) throw new Error(`${operationId} answered ${answer.status}, which the document does not list: ${text}`);
      check(
        pointer("paths", path, method, "responses", String(answer.status), "content", "application/json", "schema"),
        answer.body,
        `${operationId}'s ${answer.status} answer`,
      );
      return answer;
    },
  };
}
