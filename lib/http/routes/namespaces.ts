import { z } from "zod";
import { CreateNamespaceSchema, NamespaceViewSchema, UpdateNamespaceSchema } from "../../services/namespaces/schemas";
import { defineRoute } from "../route-spec";
import { DeletedSchema, ReasonQuerySchema } from "./common";

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
    tag,
    summary: "Rename or describe a namespace (namespace admins)",
    body: UpdateNamespaceSchema.omit({ key: true }),
    response: NamespaceViewSchema,
    errors: [404],
  }),
  delete: defineRoute({
    route: "/api/v1/namespaces/[namespace]",
    method: "DELETE",
    tag,
    summary: "Delete a namespace that never held a flag (super-admins)",
    query: ReasonQuerySchema,
    response: DeletedSchema,
    errors: [404, 409],
  }),
};
