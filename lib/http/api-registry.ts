import type { ApiRequest } from "./api-request";
import type { RouteSpec } from "./route-spec";
import type { ApiResult, NextRouteContext } from "./with-api";
import { apiTokenHandlers, apiTokenRoutes } from "../api-tokens/api";
import { auditHandlers, auditRoutes } from "../audit/api";
import { environmentHandlers, environmentRoutes } from "../environments/api";
import { flagHandlers, flagRoutes } from "../flags/api";
import { namespaceHandlers, namespaceRoutes } from "../namespaces/api";
import { outboxHandlers, outboxRoutes } from "../outbox/api";
import { sdkKeyHandlers, sdkKeyRoutes } from "../sdk-keys/api";
import { systemHandlers, systemRoutes } from "../system/api";
import { userHandlers, userRoutes } from "../users/api";
import { valueHandlers, valueRoutes } from "../values/api";
import { ruleHandlers, ruleRoutes } from "../rules/api";
import { segmentHandlers, segmentRoutes } from "../segments/api";
import { importHandlers, importRoutes } from "../import/api";

export { apiTokenRoutes, auditRoutes, environmentRoutes, flagRoutes, namespaceRoutes, outboxRoutes, sdkKeyRoutes, systemRoutes, userRoutes, valueRoutes, ruleRoutes, segmentRoutes, importRoutes };

export type ApiRouteHandler = ((req: Request, context?: NextRouteContext) => Promise<Response>) & {
  spec: RouteSpec;
  /** The same handler without Next.js or Fetch objects (see withApi). */
  run(req: ApiRequest, params: Record<string, string>): Promise<ApiResult>;
};

/**
 * Every endpoint of the admin API, in the order the OpenAPI document lists them. The order is the
 * published one (value writes after the flag endpoints, value history after the audit ones), so the
 * document stays byte-stable whatever folder an endpoint's code lives in.
 */
export const ALL_ROUTES: readonly RouteSpec[] = [
  ...Object.values(namespaceRoutes),
  ...Object.values(environmentRoutes),
  ...Object.values(flagRoutes),
  valueRoutes.setValue,
  valueRoutes.setValues,
  ...Object.values(ruleRoutes),
  ...Object.values(segmentRoutes),
  ...Object.values(importRoutes),
  ...Object.values(apiTokenRoutes),
  ...Object.values(sdkKeyRoutes),
  ...Object.values(userRoutes),
  ...Object.values(auditRoutes),
  valueRoutes.valueVersions,
  valueRoutes.rollback,
  ...Object.values(outboxRoutes),
  ...Object.values(systemRoutes),
];

/** Every admin API handler, each carrying its spec: what a non-Next server (the worker) mounts. */
export const ALL_HANDLERS: readonly ApiRouteHandler[] = [
  apiTokenHandlers,
  auditHandlers,
  environmentHandlers,
  flagHandlers,
  valueHandlers,
  ruleHandlers,
  segmentHandlers,
  importHandlers,
  namespaceHandlers,
  outboxHandlers,
  sdkKeyHandlers,
  systemHandlers,
  userHandlers,
].flatMap((group) => Object.values(group) as ApiRouteHandler[]);
