import { withApi } from "../with-api";
import { environmentRoutes } from "../routes";
import { createEnvironment, listEnvironments } from "../../services/environments/environment-verbs";

/** The environments endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const environmentHandlers = {
  list: withApi(environmentRoutes.list, async ({ ctx }) =>
    ({ environments: await listEnvironments({ ctx }) })),
  create: withApi(environmentRoutes.create, ({ ctx, body }) => createEnvironment({ ctx, input: body })),
};
