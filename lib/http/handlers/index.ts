import type { RouteSpec } from "../route-spec";
import type { ApiRequest } from "../api-request";
import type { ApiResult, NextRouteContext } from "../with-api";
import { apiTokenHandlers } from "./api-tokens";
import { auditHandlers } from "./audit";
import { environmentHandlers } from "./environments";
import { flagHandlers } from "./flags";
import { namespaceHandlers } from "./namespaces";
import { outboxHandlers } from "./outbox";
import { sdkKeyHandlers } from "./sdk-keys";
import { systemHandlers } from "./system";
import { userHandlers } from "./users";

export type ApiRouteHandler = ((req: Request, context?: NextRouteContext) => Promise<Response>) & {
  spec: RouteSpec;
  /** The same handler without Next.js or Fetch objects (see withApi). */
  run(req: ApiRequest, params: Record<string, string>): Promise<ApiResult>;
};

/** Every admin API handler, each carrying its spec: what a non-Next server mounts. */
export const ALL_HANDLERS: readonly ApiRouteHandler[] = [
  apiTokenHandlers,
  auditHandlers,
  environmentHandlers,
  flagHandlers,
  namespaceHandlers,
  outboxHandlers,
  sdkKeyHandlers,
  systemHandlers,
  userHandlers,
].flatMap((group) => Object.values(group) as ApiRouteHandler[]);
