import { z } from "zod";
import { defineRoute } from "../http/route-spec";
import { DeletedSchema, ExpectedVersionQuerySchema } from "../http/common-schemas";
import { withApi } from "../http/with-api";
import { AUDIT_PAGING, ValueVersionsQuerySchema } from "../audit/api";
import { CreateSegmentSchema, RollbackSegmentSchema, SegmentVersionSchema, SegmentViewSchema, UpdateSegmentSchema } from "./schemas";
import { rollbackSegment } from "./rollback-segment";
import { createSegment, deleteSegment, getSegment, listSegments, updateSegment } from "./segment-verbs";
import { listSegmentVersions } from "./segment-versions";

const tag = "segments";
const list = "/api/v1/namespaces/[namespace]/segments";
const one = `${list}/[segmentKey]`;

/** Route specs of the segment endpoints (issue 14), next to their handlers. */
export const segmentRoutes = {
  listSegments: defineRoute({
    route: list,
    method: "GET",
    tag,
    summary: "List a namespace's segments",
    response: z.object({ segments: z.array(SegmentViewSchema) }),
    errors: [404],
  }),
  createSegment: defineRoute({
    route: list,
    method: "POST",
    idempotent: true,
    tag,
    summary: "Create a segment (published to every environment)",
    description: "Needs flag:write in every environment of the namespace. 422 names a malformed constraint value (constraints.0.value).",
    body: CreateSegmentSchema.omit({ namespace: true }),
    response: SegmentViewSchema,
    status: 201,
    errors: [404, 409],
  }),
  getSegment: defineRoute({
    route: one,
    method: "GET",
    tag,
    summary: "Get a segment",
    response: SegmentViewSchema,
    errors: [404],
  }),
  updateSegment: defineRoute({
    route: one,
    method: "PATCH",
    idempotent: true,
    tag,
    summary: "Change a segment's name or constraints; every flag using it changes at once",
    description: "One event per environment stream. 409 with details.currentVersion when expectedVersion is stale.",
    body: UpdateSegmentSchema.omit({ namespace: true, segmentKey: true }),
    response: SegmentViewSchema,
    errors: [404, 409],
  }),
  deleteSegment: defineRoute({
    route: one,
    method: "DELETE",
    idempotent: true,
    tag,
    summary: "Delete a segment that no rule uses",
    description: "409 when a rule still uses it (details.usedBy lists flag@environment) or expectedVersion is stale.",
    query: ExpectedVersionQuerySchema,
    response: DeletedSchema,
    errors: [404, 409],
  }),
  segmentVersions: defineRoute({
    route: `${one}/versions`,
    method: "GET",
    tag,
    summary: "The audited versions of a segment, newest first (what rollback can restore), a page at a time",
    description: `Each version is listed with the event that created it; a deleted and re-created segment keeps one history. Needs reviewer access. ${AUDIT_PAGING}`,
    query: ValueVersionsQuerySchema,
    response: z.object({ versions: z.array(SegmentVersionSchema), nextCursor: z.number().int().nullable() }),
    errors: [404],
  }),
  rollbackSegment: defineRoute({
    route: `${one}/rollback`,
    method: "POST",
    idempotent: true,
    tag,
    summary: "Set a segment's name and constraints back to an earlier audited version, as a new version",
    description:
      "History is never rewritten: saved like a PATCH (same checks), with a new version, its own audit row, and published to every environment. " +
      "Needs flag:write in every environment of the namespace and reviewer access to the history. " +
      "404 for a deleted segment (it does not exist now; re-create it with POST, which continues its versions); " +
      "409 with details.currentVersion when expectedVersion is stale; 400 when toVersion is not earlier than the current version.",
    body: RollbackSegmentSchema.omit({ namespace: true, segmentKey: true }),
    response: SegmentViewSchema,
    errors: [400, 404, 409],
  }),
};

export const segmentHandlers = {
  listSegments: withApi(segmentRoutes.listSegments, ({ ctx, params }) => listSegments({ ctx, input: params })),
  createSegment: withApi(segmentRoutes.createSegment, ({ ctx, params, body }) => createSegment({ ctx, input: { ...body, ...params } })),
  getSegment: withApi(segmentRoutes.getSegment, ({ ctx, params }) => getSegment({ ctx, input: params })),
  updateSegment: withApi(segmentRoutes.updateSegment, ({ ctx, params, body }) => updateSegment({ ctx, input: { ...body, ...params } })),
  deleteSegment: withApi(segmentRoutes.deleteSegment, ({ ctx, params, query }) => deleteSegment({ ctx, input: { ...query, ...params } })),
  segmentVersions: withApi(segmentRoutes.segmentVersions, ({ ctx, params, query }) => listSegmentVersions({ ctx, input: { ...query, ...params } })),
  rollbackSegment: withApi(segmentRoutes.rollbackSegment, ({ ctx, params, body }) => rollbackSegment({ ctx, input: { ...body, ...params } })),
};
