import { z, type ZodType } from "zod";

export type JsonSchema = Record<string, unknown>;

/** Where OpenAPI keeps reusable schemas; every `$ref` below points there. */
export const componentRef = (id: string): JsonSchema => ({ $ref: `#/components/schemas/${id}` });

/**
 * Collects zod schemas under component names and turns them into JSON Schema
 * (draft 2020-12, OpenAPI 3.1's dialect) with zod's own converter. A schema
 * added twice keeps its first name, so the document never repeats one.
 */
export function createSchemaSet(io: "input" | "output") {
  const registry = z.registry<{ id: string }>();
  const names = new Map<ZodType, string>();

  return {
    /** The component name `schema` is known by, registering it under `name` if it is new. */
    add(schema: ZodType, name: string): string {
      const known = names.get(schema);
      if (known) return known;
      registry.add(schema, { id: name });
      names.set(schema, name);
      return name;
    },

    /** Every registered schema as JSON Schema, references between them as `#/components/schemas/<name>`. */
    toComponents(): Record<string, JsonSchema> {
      // Input: what a client may send (defaults make fields optional); output: what it receives.
      const { schemas } = z.toJSONSchema(registry, { io, target: "draft-2020-12", unrepresentable: "throw", uri: (id) => `#/components/schemas/${id}` });
      return Object.fromEntries(
        Object.entries(schemas).map(([name, schema]) => {
          // Each would be a separate JSON Schema document; inside OpenAPI the document's dialect applies.
          const { $schema: _dialect, $id: _id, ...rest } = schema as JsonSchema;
          return [name, rest];
        }),
      );
    },
  };
}

/** `auth.login` + `Input` → `AuthLoginInput`: names code generators turn into type names. */
export function componentName(path: string, suffix: "Input" | "Output"): string {
  return (
    path
      .split(".")
      .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
      .join("") + suffix
  );
}

/** Whether a call may leave the input out (an optional input, or one with a default). */
export const inputIsOptional = (schema: ZodType): boolean => schema.safeParse(undefined).success;
