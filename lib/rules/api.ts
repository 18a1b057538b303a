import { defineRoute } from "../http/route-spec";
import { withApi } from "../http/with-api";
import { z } from "zod";
import { AUDIT_PAGING, ValueVersionsQuerySchema } from "../audit/api";
import { RollbackTargetingSchema, TargetingBodySchema, TargetingVersionSchema, TargetingViewSchema } from "./schemas";
import { rollbackTargeting } from "./rollback-targeting";
import { getTargeting, setTargeting } from "./targeting-verbs";
import { listTargetingVersions } from "./targeting-versions";

const tag = "targeting";
const route = "/api/v1/namespaces/[namespace]/flags/[key]/environments/[environment]/targeting";

/** Route specs of the rules endpoints (issue 14), next to their handlers. */
export const ruleRoutes = {
  getTargeting: defineRoute({
    route,
    method: "GET",
    tag,
    summary: "Get a flag's rules (targeting) in one environment, with the environment's value and version",
    response: TargetingViewSchema,
    errors: [404],
  }),
  setTargeting: defineRoute({
    route,
    method: "PUT",
    idempotent: true,
    tag,
    summary: "Replace a flag's rules (targeting) in one environment",
    description:
      "Body: the targeting (enabled, offValue, variants, prerequisites, rules; see docs/TARGETING.md) and expectedVersion. " +
      "Bumps the (flag, environment) version that values share, publishes the flag document with its targeting to every SDK. " +
      "422 names the field of a malformed value (rules.0.constraints.1.value), an unknown segment or prerequisite flag, or a prerequisite cycle; " +
      "409 with details.currentVersion when expectedVersion is stale.",
    body: TargetingBodySchema,
    response: TargetingViewSchema,
    errors: [404, 409],
  }),
  targetingVersions: defineRoute({
    route: `${route}/versions`,
    method: "GET",
    tag,
    summary: "The audited versions of a flag's rules in one environment, newest first (what rollback can restore), a page at a time",
    description: `Each version is listed with the rules save that created it; the last page also lists the rules the oldest save replaced. Needs reviewer access. ${AUDIT_PAGING}`,
    query: ValueVersionsQuerySchema,
    response: z.object({ versions: z.array(TargetingVersionSchema), nextCursor: z.number().int().nullable() }),
  }),
  rollbackTargeting: defineRoute({
    route: `${route}/rollback`,
    method: "POST",
    idempotent: true,
    tag,
    summary: "Set a flag's rules in one environment back to an earlier audited version, as a new version (the value stays as it is)",
    description:
      "History is never rewritten: the restored rules are saved like a PUT (same checks), get a new version and their own audit row, and are published to every SDK. " +
      "Needs write access there and reviewer access to the history. 422 names a segment or prerequisite flag the old rules use that no longer exists; " +
      "409 with details.currentVersion when expectedVersion is stale; 400 when toVersion is not earlier than the current version.",
    body: RollbackTargetingSchema.omit({ namespace: true, key: true, environment: true }),
    response: TargetingViewSchema,
    errors: [400, 404, 409],
  }),
};

export const ruleHandlers = {
  getTargeting: withApi(ruleRoutes.getTargeting, ({ ctx, params }) => getTargeting({ ctx, input: params })),
  setTargeting: withApi(ruleRoutes.setTargeting, ({ ctx, params, body }) => setTargeting({ ctx, input: { ...body, ...params } })),
  targetingVersions: withApi(ruleRoutes.targetingVersions, ({ ctx, params, query }) => listTargetingVersions({ ctx, input: { ...query, ...params } })),
  rollbackTargeting: withApi(ruleRoutes.rollbackTargeting, ({ ctx, params, body }) => rollbackTargeting({ ctx, input: { ...body, ...params } })),
};
