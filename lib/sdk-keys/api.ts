import { z } from "zod";
import { CreatedSdkKeySchema, CreateSdkKeySchema, SdkKeyViewSchema } from "./schemas";
import { keySchema } from "../validation/common";
import { defineRoute } from "../http/route-spec";
import { ReasonQuerySchema } from "../http/common-schemas";
import { withApi } from "../http/with-api";
import { secretShownOnce } from "../idempotency/secret-replay";
import { createSdkKey, listSdkKeys, revokeSdkKey } from "./index";

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
    idempotent: true,
    idempotentAnswer: secretShownOnce("key", "SDK key"),
    tag,
    summary: "Create an SDK key bound to one environment and some (or all) namespaces; the key is in the response, once",
    description:
      "With an Idempotency-Key, a retry with the same key and body creates nothing and answers 409 conflict naming the SDK key already created (details, without the secret): " +
      "the secret is never stored, so it is shown only in the first answer.",
    body: CreateSdkKeySchema,
    response: CreatedSdkKeySchema,
    status: 201,
    errors: [404, 409],
  }),
  revoke: defineRoute({
    route: "/api/v1/sdk-keys/[id]",
    method: "DELETE",
    idempotent: true,
    tag,
    summary: "Revoke an SDK key; its open streams close within a second",
    params: z.object({ id: z.coerce.number({ error: "must be an SDK key id" }).int().min(1) }),
    query: ReasonQuerySchema,
    response: SdkKeyViewSchema,
    errors: [404],
  }),
};

/** The sdk-keys endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const sdkKeyHandlers = {
  revoke: withApi(sdkKeyRoutes.revoke, ({ ctx, params, query }) =>
    revokeSdkKey({ ctx, input: { id: params.id, reason: query.reason } })),
  list: withApi(sdkKeyRoutes.list, async ({ ctx, query }) => ({
    sdkKeys: await listSdkKeys({
      ctx,
      input: { environment: query.environment, includeRevoked: query.includeRevoked === "true" },
    }),
  })),
  create: withApi(sdkKeyRoutes.create, ({ ctx, body }) => createSdkKey({ ctx, input: body })),
};
