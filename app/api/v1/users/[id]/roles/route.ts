import { withApi } from "@/lib/http/with-api";
import { userRoutes } from "@/lib/http/routes";
import { grantRole, revokeRole } from "@/lib/services/users/membership-verbs";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const PUT = withApi(userRoutes.grantRole, ({ ctx, params, body }) => grantRole({ ctx, input: { ...body, userId: params.id } }));

/** ?namespace=* arrives here as null (the every-namespace role); see RevokeRoleQuerySchema. */
export const DELETE = withApi(userRoutes.revokeRole, ({ ctx, params, query }) =>
  revokeRole({ ctx, input: { userId: params.id, namespace: query.namespace, reason: query.reason } }),
);
