import { z } from "zod";
import { CreateNamespaceSchema, NamespaceViewSchema, UpdateNamespaceSchema } from "./schemas";
import { defineRoute } from "../http/route-spec";
import { DeletedSchema, ReasonQuerySchema } from "../http/common-schemas";
import { withApi } from "../http/with-api";
import { createNamespace, deleteNamespace, listNamespaces, updateNamespace } from "./namespace-verbs";
import { getNamespace } from "./get-namespace";

const tag = "namespaces";

export const namespaceRoutes = {
  list: defineRoute({
    route: "/api/v1/namespaces",
    method: "GET",
    tag,
    summary: "List the namespaces the caller can see",
    response: z.object({ namespaces: z.array(NamespaceViewSchema) }),
  }),
  create: defineRoute({
    route: "/api/v1/namespaces",
    method: "POST",
    idempotent: true,
    tag,
    summary: "Create a namespace (super-admins)",
    body: CreateNamespaceSchema,
    response: NamespaceViewSchema,
    status: 201,
    errors: [409],
  }),
  get: defineRoute({
    route: "/api/v1/namespaces/[namespace]",
    method: "GET",
    tag,
    summary: "Get one namespace",
    response: NamespaceViewSchema,
    errors: [404],
  }),
  update: defineRoute({
    route: "/api/v1/namespaces/[namespace]",
    method: "PATCH",
    idempotent: true,
    tag,
    summary: "Rename or describe a namespace (namespace admins)",
    body: UpdateNamespaceSchema.omit({ key: true }),
    response: NamespaceViewSchema,
    errors: [404],
  }),
  delete: defineRoute({
    route: "/api/v1/namespaces/[namespace]",
    method: "DELETE",
    idempotent: true,
    tag,
    summary: "Delete a namespace that never held a flag (super-admins)",
    query: ReasonQuerySchema,
    response: DeletedSchema,
    errors: [404, 409],
  }),
};

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
