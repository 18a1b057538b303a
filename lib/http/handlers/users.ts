import { withApi } from "../with-api";
import { userRoutes } from "../routes";
import { createUser, listUsers, setUserPassword, updateUser } from "../../services/users/user-verbs";
import { getUser } from "../../services/users/get-user";
import { grantRole, revokeRole } from "../../services/users/membership-verbs";

/** The users endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const userHandlers = {
  setPassword: withApi(userRoutes.setPassword, ({ ctx, params, body }) =>
    setUserPassword({ ctx, input: { ...body, userId: params.id } })),
  grantRole: withApi(userRoutes.grantRole, ({ ctx, params, body }) => grantRole({ ctx, input: { ...body, userId: params.id } })),
  /** ?namespace=* arrives here as null (the every-namespace role); see RevokeRoleQuerySchema. */
  revokeRole: withApi(userRoutes.revokeRole, ({ ctx, params, query }) =>
    revokeRole({ ctx, input: { userId: params.id, namespace: query.namespace, reason: query.reason } })),
  get: withApi(userRoutes.get, ({ ctx, params }) => getUser({ ctx, input: { userId: params.id } })),
  update: withApi(userRoutes.update, ({ ctx, params, body }) => updateUser({ ctx, input: { ...body, userId: params.id } })),
  list: withApi(userRoutes.list, async ({ ctx }) => ({ users: await listUsers({ ctx }) })),
  create: withApi(userRoutes.create, ({ ctx, body }) => createUser({ ctx, input: body })),
};
