import type { z } from "zod";
import { resolveActor } from "../auth/resolve-actor";
import { ServiceError } from "../errors/service-error";
import { metrics } from "../observability/metrics";
import type { ServiceContext } from "../core/context";
import { parseInput } from "../validation/parse";
import { fromFetchRequest, type ApiRequest } from "./api-request";
import { errorResult } from "./error-response";
import { idempotentHandler } from "./idempotency";
import { queryObject } from "./query";
import { readJsonBody } from "./read-json-body";
import { clientIpOf, traceIdOf } from "./request-meta";
import { paramsSchemaOf, type RouteSpec } from "./route-spec";
import { assertSameOriginWrite } from "./same-origin";
import { createServiceContext } from "./service-context";

/** What Next.js passes as the second argument of a route handler (params is a Promise in Next 16). */
export interface NextRouteContext {
  params: Promise<Record<string, string | string[] | undefined>>;
}

type ParamNames<R extends string> = R extends `${string}[${infer P}]${infer Rest}` ? P | ParamNames<Rest> : never;
type Parsed<S, K extends string, Fallback> = S extends { [P in K]: infer T extends z.ZodType } ? z.output<T> : Fallback;

export interface ApiArgs<S extends RouteSpec> {
  req: ApiRequest;
  /** Null only on routes with auth "none", or "optional" without credentials. */
  ctx: S extends { auth: "none" | "optional" } ? ServiceContext | null : ServiceContext;
  params: Parsed<S, "params", { [K in ParamNames<S["route"]>]: string }>;
  query: Parsed<S, "query", undefined>;
  body: Parsed<S, "body", undefined>;
  traceId: string;
}

export type ApiHandler<S extends RouteSpec> = (args: ApiArgs<S>) => Promise<unknown> | unknown;

/**
 * The one wrapper around every admin API route handler: trace id, actor (401 without one), CSRF
 * check for cookie sessions, path/query/body parsing with the spec's zod schemas (400 malformed
 * JSON, 413 too large, 422 invalid), the ServiceContext, error mapping, x-request-id and the HTTP
 * duration metric. The handler's plain return value becomes a JSON response with spec.status.
 * On specs marked `idempotent` (every write), an Idempotency-Key header makes the handler run at
 * most once per key and caller (http/idempotency.ts): the claim rides in ctx to the verb's transaction.
 *
 *   export const GET = withApi(flagRoutes.get, ({ ctx, params }) => getFlag({ ctx, input: params }));
 */
export function withApi<const S extends RouteSpec>(def: S, handler: ApiHandler<S>) {
  const paramsSchema = paramsSchemaOf(def);
  const auth = def.auth ?? "required";

  /** The transport-neutral core: node-api-adapter.ts calls it without a Fetch Request. */
  async function run(req: ApiRequest, rawParams: Record<string, string | string[] | undefined>): Promise<ApiResult> {
    const started = performance.now();
    const traceId = traceIdOf(req.headers);
    const meta = { ip: clientIpOf(req.headers), traceId };
    let out: ApiResult;
    try {
      if (req.method !== def.method && !(req.method === "HEAD" && def.method === "GET")) {
        throw new Error(`route ${def.route} is declared ${def.method} but was called with ${req.method}`);
      }
      const resolved = auth === "none" ? null : await resolveActor(req);
      if (!resolved && auth === "required") {
        const hint = "Authentication required: sign in, or send 'Authorization: Bearer <admin API token>'";
        throw new ServiceError("unauthenticated", hint);
      }
      if (resolved?.usesCookies) assertSameOriginWrite(req);
      const params = parseInput(paramsSchema, rawParams);
      const query = def.query ? parseInput(def.query, queryObject(req.url)) : undefined;
      // An empty body counts as {}, so all-optional bodies (PATCH) may be omitted and required
      // fields are named in the 422.
      const body = def.body ? parseInput(def.body, (await readJsonBody(req)) ?? {}) : undefined;
      const ctx = resolved ? createServiceContext(resolved.actor, meta) : null;
      const call = (c: ServiceContext | null) => Promise.resolve(handler({ req, ctx: c, params, query, body, traceId } as ApiArgs<S>));
      const value = def.idempotent && ctx && def.method !== "GET"
        ? await idempotentHandler({ req, ctx, body, status: def.status ?? 200, answer: def.idempotentAnswer }, call)
        : await call(ctx);
      out = value instanceof Response ? value : { status: def.status ?? 200, headers: {}, json: JSON.stringify(value) };
    } catch (err) {
      out = errorResult(err, { traceId, route: def.route, method: req.method });
    }
    out = withStandardHeaders(out, traceId);
    metrics.httpRequestSeconds.observe({ route: def.route, method: req.method, status: String(out.status) }, (performance.now() - started) / 1000);
    return out;
  }

  /** The Next.js route handler. */
  async function handle(req: Request, context?: NextRouteContext): Promise<Response> {
    return toResponse(await run(fromFetchRequest(req), (await context?.params) ?? {}));
  }
  return Object.assign(handle, { spec: def as RouteSpec, run });
}

/** A handler's outcome: a JSON body already serialised, or a Response it built itself (downloads). */
export type ApiResult = Response | JsonResult;

export interface JsonResult {
  status: number;
  headers: Record<string, string>;
  json: string;
}

export function toResponse(out: ApiResult): Response {
  if (out instanceof Response) return out;
  return new Response(out.json, { status: out.status, headers: { "content-type": "application/json", ...out.headers } });
}

function withStandardHeaders(out: ApiResult, traceId: string): ApiResult {
  if (!(out instanceof Response)) {
    out.headers["x-request-id"] = traceId;
    out.headers["cache-control"] ??= "no-store";
    return out;
  }
  try {
    out.headers.set("x-request-id", traceId);
    if (!out.headers.has("cache-control")) out.headers.set("cache-control", "no-store");
    return out;
  } catch {
    // Immutable headers (e.g. a fetched Response): copy into a new one.
    const copy = new Response(out.body, out);
    copy.headers.set("x-request-id", traceId);
    return copy;
  }
}
