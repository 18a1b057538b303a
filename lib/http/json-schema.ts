import { createHash } from "node:crypto";
import { z } from "zod";

type Json = Record<string, unknown>;

/**
 * zod -> JSON Schema (2020-12, which OpenAPI 3.1 uses) for embedding in one OpenAPI document.
 * zod puts recursive parts (z.json()) under a local "$defs" with "#/$defs/..." refs; inside an
 * OpenAPI document those refs would resolve against the document root, so every definition is
 * hoisted into components.schemas (deduplicated by content) and the refs are rewritten.
 */
export class SchemaCollector {
  readonly components: Record<string, Json> = {};
  private byContent = new Map<string, string>();

  convert(schema: z.ZodType, io: "input" | "output"): Json {
    const out = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as Json;
    delete out.$schema;
    const defs = Object.entries((out.$defs ?? {}) as Record<string, Json>);
    delete out.$defs;
    const renames = new Map<string, string>();
    const fresh: [string, Json][] = [];
    for (const [name, def] of defs) {
      // Self-references normalised, so the copies of the JSON-value schema (one per z.json() use)
      // collapse into one component.
      const content = JSON.stringify(def).replaceAll(`"#/$defs/${name}"`, '"#SELF"');
      const key = createHash("sha1").update(content).digest("hex");
      let component = this.byContent.get(key);
      if (!component) {
        component = isJsonValue(content) && !this.components.JsonValue ? "JsonValue" : `Schema_${key.slice(0, 10)}`;
        this.byContent.set(key, component);
        this.components[component] = {};
        fresh.push([component, def]);
      }
      renames.set(name, component);
    }
    for (const [component, def] of fresh) this.components[component] = rewriteRefs(def, renames) as Json;
    return rewriteRefs(out, renames) as Json;
  }

  /** Registers a named component (e.g. the error body) once and returns a $ref to it. */
  named(name: string, schema: z.ZodType, io: "input" | "output" = "output"): Json {
    if (!this.components[name]) this.components[name] = this.convert(schema, io);
    return { $ref: `#/components/schemas/${name}` };
  }
}

/** The shape z.json() produces: any JSON value, recursively. */
function isJsonValue(content: string): boolean {
  return ["string", "number", "boolean", "null", "array", "object"].every((t) => content.includes(`{"type":"${t}"`));
}

function rewriteRefs(node: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, renames));
  if (!node || typeof node !== "object") return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    const target = k === "$ref" && typeof v === "string" && v.startsWith("#/$defs/") ? renames.get(v.slice(8)) : undefined;
    out[k] = target ? `#/components/schemas/${target}` : rewriteRefs(v, renames);
  }
  return out;
}
