import { withApi } from "../with-api";
import { sdkKeyRoutes } from "../routes";
import { createSdkKey, listSdkKeys, revokeSdkKey } from "../../services/sdk-keys";

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
