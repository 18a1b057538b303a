import { z } from "zod";
import { ArchiveFlagSchema, CreateFlagSchema, FlagViewSchema, ListFlagsSchema, SetFlagValueSchema, SetFlagValuesResultSchema, SetFlagValuesSchema, UpdateFlagSchema } from "./schemas";
import { queryBoolean, queryInt } from "../http/query";
import { defineRoute } from "../http/route-spec";
import { DeletedSchema, ExpectedVersionQuerySchema } from "../http/common-schemas";
import { withApi } from "../http/with-api";
import { archiveFlag } from "./archive-flag";
import { createFlag } from "./create-flag";
import { deleteFlag } from "./delete-flag";
import { getFlag } from "./get-flag";
import { listFlags } from "./list-flags";
import { setFlagValue } from "../values/set-flag-value";
import { setFlagValues } from "../values/set-flag-values";
import { updateFlag } from "./update-flag";

const tag = "flags";
const flagPath = "/api/v1/flags/[namespace]/[key]";

/** The list verb's input, as query-string text. */
export const ListFlagsQuerySchema = ListFlagsSchema.extend({
  archived: queryBoolean.optional(),
  limit: queryInt(1, 500).optional().describe("Page size (default 50)"),
  cursor: ListFlagsSchema.shape.cursor.describe("nextCursor of the previous page"),
});

export const flagRoutes = {
  list: defineRoute({
    route: "/api/v1/flags",
    method: "GET",
    tag,
    summary: "List flags the caller can read, filtered, with keyset pagination",
    query: ListFlagsQuerySchema,
    response: z.object({ flags: z.array(FlagViewSchema), nextCursor: z.string().nullable() }),
  }),
  create: defineRoute({
    route: "/api/v1/flags",
    method: "POST",
    idempotent: true,
    tag,
    summary: "Create a flag (with a value in every environment)",
    body: CreateFlagSchema,
    response: FlagViewSchema,
    status: 201,
    errors: [404, 409],
  }),
  get: defineRoute({
    route: flagPath,
    method: "GET",
    tag,
    summary: "Get a flag with its value in every environment",
    response: FlagViewSchema,
    errors: [404],
  }),
  update: defineRoute({
    route: flagPath,
    method: "PATCH",
    idempotent: true,
    tag,
    summary: "Change a flag's description, tags or default value",
    body: UpdateFlagSchema.omit({ namespace: true, key: true }),
    response: FlagViewSchema,
    errors: [404, 409],
  }),
  delete: defineRoute({
    route: flagPath,
    method: "DELETE",
    idempotent: true,
    tag,
    summary: "Delete a flag (namespace admins); SDKs see it removed",
    query: ExpectedVersionQuerySchema,
    response: DeletedSchema,
    errors: [404, 409],
  }),
  archive: defineRoute({
    route: `${flagPath}/archive`,
    method: "POST",
    idempotent: true,
    tag,
    summary: "Archive (stop serving) or restore a flag",
    body: ArchiveFlagSchema.omit({ namespace: true, key: true }),
    response: FlagViewSchema,
    errors: [404, 409],
  }),
};

/** The flags endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const flagHandlers = {
  archive: withApi(flagRoutes.archive, ({ ctx, params, body }) =>
    archiveFlag({ ctx, input: { ...body, ...params } })),
  get: withApi(flagRoutes.get, ({ ctx, params }) => getFlag({ ctx, input: params })),
  update: withApi(flagRoutes.update, ({ ctx, params, body }) =>
    updateFlag({ ctx, input: { ...body, ...params } })),
  delete: withApi(flagRoutes.delete, ({ ctx, params, query }) =>
    deleteFlag({ ctx, input: { ...query, ...params } })),
  list: withApi(flagRoutes.list, ({ ctx, query }) => listFlags({ ctx, input: query })),
  create: withApi(flagRoutes.create, ({ ctx, body }) => createFlag({ ctx, input: body })),
};
