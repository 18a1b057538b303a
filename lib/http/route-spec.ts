import { z } from "zod";
import { keySchema } from "../validation/common";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * required: a resolved actor or 401. optional: resolve if credentials are sent (bad ones are still
 * 401), else null. none: never look (public endpoints such as health and the OpenAPI document).
 */
export type AuthMode = "required" | "optional" | "none";

/**
 * Everything the wrapper and the OpenAPI document need to know about one endpoint. Specs live next
 * to their handlers in each entity's `api.ts` (listed in lib/http/api-registry.ts), so the schemas
 * that validate a request are the ones the document describes.
 */
export interface RouteSpec {
  /** Next.js-style path, e.g. /api/v1/flags/[namespace]/[key]; also the metrics `route` label. */
  route: string;
  method: HttpMethod;
  summary: string;
  description?: string;
  tag: string;
  auth?: AuthMode;
  /** Path parameters; defaults to every [segment] being a key (see validation/common.ts). */
  params?: z.ZodObject;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Success body; omit for non-JSON responses and give `responseContentType`. */
  response?: z.ZodType;
  responseContentType?: string;
  status?: 200 | 201;
  /** Accepts an Idempotency-Key header (lib/http/idempotency.ts): documented with its 422 and 504. */
  idempotent?: boolean;
  /** What a replay of this idempotent write returns instead of the result (a create that returns a secret once). */
  idempotentAnswer?: (result: unknown) => { status: number; json: string };
  /** Error statuses this endpoint can produce besides the ones implied by auth and validation. */
  errors?: readonly number[];
}

export function defineRoute<const S extends RouteSpec>(spec: S): S {
  return spec;
}

export function pathParamNames(route: string): string[] {
  return [...route.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!);
}

/** The path parameter schema of a spec: its own, or one key-shaped string per [segment]. */
export function paramsSchemaOf(spec: RouteSpec): z.ZodObject {
  return spec.params ?? z.object(Object.fromEntries(pathParamNames(spec.route).map((n) => [n, keySchema])));
}

/** `/api/v1/flags/[namespace]` -> `/api/v1/flags/{namespace}` */
export function openApiPath(route: string): string {
  return route.replace(/\[([^\]]+)\]/g, "{$1}");
}
