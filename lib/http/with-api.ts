import type { z } from "zod";
import { resolveActor } from "../auth/resolve-actor";
import { ServiceError } from "../errors/service-error";
import { metrics } from "../observability/metrics";
import type { ServiceContext } from "../services/context";
import { parseInput } from "../validation/parse";
import { errorResponse } from "./error-response";
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
  req: Request;
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
 *
 *   export const GET = withApi(flagRoutes.get, ({ ctx, params }) => getFlag({ ctx, input: params }));
 */
export function withApi<const S extends RouteSpec>(def: S, handler: ApiHandler<S>) {
  const paramsSchema = paramsSchemaOf(def);
  const auth = def.auth ?? "required";
  return Object.assign(handle, { spec: def as RouteSpec });
  async function handle(req: Request, context?: NextRouteContext): Promise<Response> {
    const started = performance.now();
    const traceId = traceIdOf(req.headers);
    const meta = { ip: clientIpOf(req.headers), traceId };
    let res: Response;
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
      const params = parseInput(paramsSchema, (await context?.params) ?? {});
      const query = def.query ? parseInput(def.query, queryObject(req.url)) : undefined;
      // An empty body counts as {}, so all-optional bodies (PATCH) may be omitted and required
      // fields are named in the 422.
      const body = def.body ? parseInput(def.body, (await readJsonBody(req)) ?? {}) : undefined;
      const ctx = resolved ? createServiceContext(resolved.actor, meta) : null;
      const out = await handler({ req, ctx, params, query, body, traceId } as ApiArgs<S>);
      res = out instanceof Response ? out : jsonResponse(out, def.status ?? 200);
    } catch (err) {
      res = errorResponse(err, { traceId, route: def.route, method: req.method });
    }
    res = withStandardHeaders(res, traceId);
    metrics.httpRequestSeconds.observe(
      { route: def.route, method: req.method, status: String(res.status) },
      (performance.now() - started) / 1000,
    );
    return res;
  }
}

/**
 * The serialised body of each JSON response withApi made, for servers that write it to a socket
 * themselves (node-api-adapter.ts) instead of reading it back out of the Response's stream.
 */
const jsonBodies = new WeakMap<Response, string>();

function jsonResponse(out: unknown, status: number): Response {
  const text = JSON.stringify(out);
  const res = new Response(text, { status, headers: { "content-type": "application/json" } });
  jsonBodies.set(res, text);
  return res;
}

export function jsonBodyOf(res: Response): string | undefined {
  return jsonBodies.get(res);
}

function withStandardHeaders(res: Response, traceId: string): Response {
  try {
    res.headers.set("x-request-id", traceId);
    if (!res.headers.has("cache-control")) res.headers.set("cache-control", "no-store");
    return res;
  } catch {
    // Immutable headers (e.g. a fetched Response): copy into a new one.
    const copy = new Response(res.body, res);
    copy.headers.set("x-request-id", traceId);
    return copy;
  }
}
