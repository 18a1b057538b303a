import type { z } from "zod";
import { SESSION_COOKIE } from "../auth/session-cookie-names";
import { ERROR_CODES } from "../errors/service-error";
import { SchemaCollector } from "./json-schema";
import { openApiPath, paramsSchemaOf, pathParamNames, type RouteSpec } from "./route-spec";
import { ALL_ROUTES } from "./api-registry";
import { ErrorBodySchema } from "./common-schemas";

type Json = Record<string, unknown>;

// First code per status names it (422 is "validation failed", not a later code sharing it).
const STATUS_TEXT: Record<number, string> = Object.fromEntries(
  Object.entries(ERROR_CODES).reverse().map(([code, status]) => [status, code.replaceAll("_", " ")]),
);

/**
 * Builds the OpenAPI 3.1 document from the route registry (lib/http/api-registry.ts). The request schemas are
 * the zod objects withApi validates with, so the document cannot drift from what is enforced.
 */
export function buildOpenApiDocument(routes: readonly RouteSpec[] = ALL_ROUTES): Json {
  const schemas = new SchemaCollector();
  const errorRef = schemas.named("Error", ErrorBodySchema);
  const paths: Record<string, Record<string, Json>> = {};
  for (const spec of routes) {
    const path = openApiPath(spec.route);
    (paths[path] ??= {})[spec.method.toLowerCase()] = operation(spec, schemas, errorRef);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "MizuFlow admin API",
      version: "1.0.0",
      description:
        "Manage namespaces, environments, flags and their per-environment values, SDK keys, admin API tokens, " +
        "users and roles; read and export the audit history and roll values back. " +
        "Every error has the shape of the Error schema; 409 conflicts carry details.currentVersion.",
    },
    servers: [{ url: "/" }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: schemas.components,
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "Admin API token (mf_admin_...)" },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: SESSION_COOKIE,
          description: "Console session (browsers); writes must be same-origin",
        },
      },
    },
  };
}

function operation(spec: RouteSpec, schemas: SchemaCollector, errorRef: Json): Json {
  const auth = spec.auth ?? "required";
  const op: Json = {
    operationId: operationId(spec),
    summary: spec.summary,
    tags: [spec.tag],
    parameters: [...pathParameters(spec, schemas), ...queryParameters(spec.query, schemas), ...(spec.idempotent ? [IDEMPOTENCY_KEY_PARAM] : [])],
    security: auth === "none" ? [] : [...(auth === "optional" ? [{}] : []), { bearerAuth: [] }, { sessionCookie: [] }],
  };
  if (spec.description) op.description = spec.description;
  if (spec.body) {
    op.requestBody = { required: true, content: { "application/json": { schema: schemas.convert(spec.body, "input") } } };
  }
  const ok = String(spec.status ?? 200);
  const responses: Json = {
    [ok]: spec.response
      ? { description: "Success", content: { "application/json": { schema: schemas.convert(spec.response, "output") } } }
      : { description: "Success", content: { [spec.responseContentType ?? "text/plain"]: { schema: { type: "string" } } } },
  };
  const errors = new Set<number>(spec.errors ?? []);
  if (auth !== "none") [401, 403].forEach((s) => errors.add(s));
  if (spec.body) [400, 413].forEach((s) => errors.add(s));
  if (spec.body || spec.query || pathParamNames(spec.route).length) errors.add(422);
  if (auth !== "none") errors.add(503);
  if (spec.idempotent) [422, 504].forEach((s) => errors.add(s));
  for (const status of [...errors].sort()) {
    responses[String(status)] = { description: STATUS_TEXT[status] ?? "Error", content: { "application/json": { schema: errorRef } } };
  }
  op.responses = responses;
  return op;
}

const IDEMPOTENCY_KEY_PARAM: Json = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "Makes retries safe: a retry with the same key and request replays the first answer and never writes twice (kept at least 24 h per caller). " +
    "Answers 504 commit_outcome_unknown when a write's commit could be neither confirmed nor ruled out; retry with the key to learn the outcome.",
  schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7e]+$" },
};

function pathParameters(spec: RouteSpec, schemas: SchemaCollector): Json[] {
  const shape = paramsSchemaOf(spec).shape as Record<string, z.ZodType>;
  return pathParamNames(spec.route).map((name) => ({
    name,
    in: "path",
    required: true,
    schema: shape[name] ? schemas.convert(shape[name], "input") : { type: "string" },
  }));
}

function queryParameters(query: z.ZodType | undefined, schemas: SchemaCollector): Json[] {
  if (!query) return [];
  const json = schemas.convert(query, "input");
  const props = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(props).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return { name, in: "query", required: required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

/** e.g. PUT /api/v1/flags/[namespace]/[key]/values/[environment] -> putFlagsNamespaceKeyValuesEnvironment */
function operationId(spec: RouteSpec): string {
  const words = spec.route.replace(/^\/api\/(v1\/)?/, "").split(/[/.\-[\]]+/).filter(Boolean);
  return spec.method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

const g = globalThis as unknown as { mizuflowOpenApi?: Json };

/** The document, built once per process (the registry is static). */
export function getOpenApiDocument(): Json {
  g.mizuflowOpenApi ??= buildOpenApiDocument();
  return g.mizuflowOpenApi;
}
