import { z } from "zod";
import { CreatedSdkKeySchema, CreateSdkKeySchema, SdkKeyViewSchema } from "../../services/sdk-keys/schemas";
import { keySchema } from "../../validation/common";
import { defineRoute } from "../route-spec";
import { ReasonQuerySchema } from "./common";

const tag = "sdk-keys";

const ListSdkKeysQuerySchema = z
  .object({
    environment: keySchema.optional(),
    includeRevoked: z.enum(["true", "false"], { error: "must be true or false" }).optional(),
  })
  .strict();

export const sdkKeyRoutes = {
  list: defineRoute({
    route: "/api/v1/sdk-keys",
    method: "GET",
    tag,
    summary: "List the SDK keys the caller administers (keys themselves are never shown again)",
    query: ListSdkKeysQuerySchema,
    response: z.object({ sdkKeys: z.array(SdkKeyViewSchema) }),
  }),
  create: defineRoute({
    route: "/api/v1/sdk-keys",
    method: "POST",
    tag,
    summary: "Create an SDK key bound to one environment and some (or all) namespaces; the key is in the response, once",
    body: CreateSdkKeySchema,
    response: CreatedSdkKeySchema,
    status: 201,
    errors: [404],
  }),
  revoke: defineRoute({
    route: "/api/v1/sdk-keys/[id]",
    method: "DELETE",
    tag,
    summary: "Revoke an SDK key; its open streams close within a second",
    params: z.object({ id: z.coerce.number({ error: "must be an SDK key id" }).int().min(1) }),
    query: ReasonQuerySchema,
    response: SdkKeyViewSchema,
    errors: [404],
  }),
};
