import { z } from "zod";
import {
  ArchiveFlagSchema,
  CreateFlagSchema,
  FlagViewSchema,
  ListFlagsSchema,
  SetFlagValueSchema,
  SetFlagValuesResultSchema,
  SetFlagValuesSchema,
  UpdateFlagSchema,
} from "../../services/flags/schemas";
import { queryBoolean, queryInt } from "../query";
import { defineRoute } from "../route-spec";
import { DeletedSchema, ExpectedVersionQuerySchema } from "./common";

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
    tag,
    summary: "Change a flag's description, tags or default value",
    body: UpdateFlagSchema.omit({ namespace: true, key: true }),
    response: FlagViewSchema,
    errors: [404, 409],
  }),
  delete: defineRoute({
    route: flagPath,
    method: "DELETE",
    tag,
    summary: "Delete a flag (namespace admins); SDKs see it removed",
    query: ExpectedVersionQuerySchema,
    response: DeletedSchema,
    errors: [404, 409],
  }),
  archive: defineRoute({
    route: `${flagPath}/archive`,
    method: "POST",
    tag,
    summary: "Archive (stop serving) or restore a flag",
    body: ArchiveFlagSchema.omit({ namespace: true, key: true }),
    response: FlagViewSchema,
    errors: [404, 409],
  }),
  setValue: defineRoute({
    route: `${flagPath}/values/[environment]`,
    method: "PUT",
    tag,
    summary: "Set a flag's value in one environment",
    description: "Published to etcd and every connected SDK. With expectedVersion, a concurrent change makes this fail with 409 (details.currentVersion).",
    body: SetFlagValueSchema.omit({ namespace: true, key: true, environment: true }),
    response: FlagViewSchema,
    errors: [404, 409],
  }),
  setValues: defineRoute({
    route: "/api/v1/value-changes",
    method: "POST",
    tag,
    summary: "Set many flag values at once, all or nothing",
    description:
      "Up to 500 changes in one transaction, applied in order; each gets its own version, audit event and publish, exactly as the single-value PUT. If any change is refused (404, 409, 422, 403), nothing is written and the error names it (changes[i], details.index).",
    body: SetFlagValuesSchema,
    response: SetFlagValuesResultSchema,
    errors: [404, 409],
  }),
};
