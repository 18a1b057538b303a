import type { RouteSpec } from "../route-spec";
import { apiTokenRoutes } from "./api-tokens";
import { auditRoutes } from "./audit";
import { environmentRoutes } from "./environments";
import { flagRoutes } from "./flags";
import { namespaceRoutes } from "./namespaces";
import { outboxRoutes } from "./outbox";
import { sdkKeyRoutes } from "./sdk-keys";
import { systemRoutes } from "./system";
import { userRoutes } from "./users";

export { apiTokenRoutes, auditRoutes, environmentRoutes, flagRoutes, namespaceRoutes, outboxRoutes, sdkKeyRoutes, systemRoutes, userRoutes };

/** Every endpoint the app serves through withApi, in document order. */
export const ALL_ROUTES: readonly RouteSpec[] = [
  ...Object.values(namespaceRoutes),
  ...Object.values(environmentRoutes),
  ...Object.values(flagRoutes),
  ...Object.values(apiTokenRoutes),
  ...Object.values(sdkKeyRoutes),
  ...Object.values(userRoutes),
  ...Object.values(auditRoutes),
  ...Object.values(outboxRoutes),
  ...Object.values(systemRoutes),
];
