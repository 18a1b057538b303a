import { withApi } from "@/lib/http/with-api";
import { namespaceRoutes } from "@/lib/http/routes";
import { getNamespace } from "@/lib/services/namespaces/get-namespace";
import { deleteNamespace, updateNamespace } from "@/lib/services/namespaces/namespace-verbs";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(namespaceRoutes.get, ({ ctx, params }) =>
  getNamespace({ ctx, input: { key: params.namespace } }),
);

export const PATCH = withApi(namespaceRoutes.update, ({ ctx, params, body }) =>
  updateNamespace({ ctx, input: { ...body, key: params.namespace } }),
);

export const DELETE = withApi(namespaceRoutes.delete, ({ ctx, params, query }) =>
  deleteNamespace({ ctx, input: { ...query, key: params.namespace } }),
);
