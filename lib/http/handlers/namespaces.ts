import { withApi } from "../with-api";
import { namespaceRoutes } from "../routes";
import { createNamespace, deleteNamespace, listNamespaces, updateNamespace } from "../../services/namespaces/namespace-verbs";
import { getNamespace } from "../../services/namespaces/get-namespace";

/** The namespaces endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const namespaceHandlers = {
  get: withApi(namespaceRoutes.get, ({ ctx, params }) =>
    getNamespace({ ctx, input: { key: params.namespace } })),
  update: withApi(namespaceRoutes.update, ({ ctx, params, body }) =>
    updateNamespace({ ctx, input: { ...body, key: params.namespace } })),
  delete: withApi(namespaceRoutes.delete, ({ ctx, params, query }) =>
    deleteNamespace({ ctx, input: { ...query, key: params.namespace } })),
  list: withApi(namespaceRoutes.list, async ({ ctx }) => ({ namespaces: await listNamespaces({ ctx }) })),
  create: withApi(namespaceRoutes.create, ({ ctx, body }) => createNamespace({ ctx, input: body })),
};
