import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { routeFiles } from "../../tests/support/route-files";
import { buildOpenApiDocument } from "./openapi";
import { openApiPath } from "./route-spec";
import { ALL_ROUTES } from "./api-registry";

const APP_API = path.resolve(import.meta.dirname, "../../app/api");
/** The public API surface: the admin API plus health and metrics (console-internal routes are not). */
const DOCUMENTED_DIRS = ["v1", "health", "metrics"].map((d) => path.join(APP_API, d));

/** Every (method, path) a route file under app/api exports, read from the source. */
async function exportedOperations(): Promise<{ method: string; path: string; file: string; source: string }[]> {
  const ops = [];
  const files = (await Promise.all(DOCUMENTED_DIRS.map(routeFiles))).flat();
  for (const file of files) {
    const source = await readFile(file, "utf8");
    const route = "/" + path.relative(path.resolve(APP_API, "../.."), path.dirname(file)).split(path.sep).slice(1).join("/");
    for (const m of source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)) {
      ops.push({ method: m[1]!, path: openApiPath(route), file, source });
    }
  }
  return ops;
}

type Doc = { openapi: string; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } }; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("OpenAPI document", () => {
  const doc = buildOpenApiDocument() as unknown as Doc;

  it("is OpenAPI 3.1 and documents every operation exported under app/api/v1, health and metrics (and nothing else)", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const ops = await exportedOperations();
    expect(ops.length).toBeGreaterThanOrEqual(17);
    for (const op of ops) {
      expect(doc.paths[op.path]?.[op.method.toLowerCase()], `${op.method} ${op.path} (${op.file})`).toBeDefined();
      // Route files must be wrapped by withApi, so the registry spec is what validates them.
      expect(op.source).toMatch(new RegExp(`export const ${op.method} = (withApi\\(|\\w+Handlers\\.\\w+;)`));
    }
    const documented = Object.entries(doc.paths).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.sort()).toEqual(ops.map((o) => `${o.method} ${o.path}`).sort());
  });

  it("describes bodies, parameters and responses with real schemas", () => {
    const setValue = doc.paths["/api/v1/flags/{namespace}/{key}/values/{environment}"]!.put;
    expect(setValue.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(["path:namespace", "path:key", "path:environment", "header:Idempotency-Key"]);
    const body = setValue.requestBody.content["application/json"].schema;
    expect(Object.keys(body.properties)).toEqual(expect.arrayContaining(["value", "expectedVersion", "reason"]));
    expect(body.required).toEqual(["value"]);
    expect(body.additionalProperties).toBe(false);
    expect(setValue.responses["200"].content["application/json"].schema.properties.values).toBeDefined();
    expect(setValue.responses["409"].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Error" });
    expect(setValue.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);

    const list = doc.paths["/api/v1/flags"]!.get;
    const names = list.parameters.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(["namespace", "type", "tag", "archived", "search", "cursor", "limit"]));
    const archived = list.parameters.find((p: { name: string }) => p.name === "archived");
    expect(archived.schema.enum).toEqual(["true", "false"]);

    const create = doc.paths["/api/v1/api-tokens"]!.post;
    expect(create.responses["201"]).toBeDefined();
    expect(create.requestBody.content["application/json"].schema.required).toEqual(expect.arrayContaining(["name", "role", "namespaces"]));
    expect(doc.paths["/api/v1/openapi.json"]!.get.security).toEqual([]);
  });

  it("documents the targeting endpoints (issue 14): rules per flag and environment, segments CRUD, the Unleash import", () => {
    const rules = doc.paths["/api/v1/namespaces/{namespace}/flags/{key}/environments/{environment}/targeting"]!;
    expect(Object.keys(rules).sort()).toEqual(["get", "put"]);
    expect(Object.keys(rules.put.requestBody.content["application/json"].schema.properties)).toEqual(
      expect.arrayContaining(["enabled", "offValue", "variants", "prerequisites", "rules", "expectedVersion"]),
    );
    expect(rules.put.responses["409"]).toBeDefined();
    expect(Object.keys(doc.paths["/api/v1/namespaces/{namespace}/segments"]!).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/api/v1/namespaces/{namespace}/segments/{segmentKey}"]!).sort()).toEqual(["delete", "get", "patch"]);
    const imp = doc.paths["/api/v1/import/unleash"]!.post;
    expect(imp.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(["environment", "namespace", "dryRun"]));
  });

  it("resolves every $ref inside the document", () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      const target = ref.slice(8, -1);
      expect(target, ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[target.split("/").pop()!], ref).toBeDefined();
    }
    expect(JSON.stringify(doc)).not.toContain("$defs");
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      expect(schema.properties ?? schema.anyOf, name).toBeDefined();
    }
  });

  it("has one spec per (method, path) and unique operation ids", () => {
    const keys = ALL_ROUTES.map((r) => `${r.method} ${r.route}`);
    expect(new Set(keys).size).toBe(keys.length);
    const ids = Object.values(doc.paths).flatMap((m) => Object.values(m).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
