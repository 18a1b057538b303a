import { withApi } from "@/lib/http/with-api";
import { namespaceRoutes } from "@/lib/http/routes";
import { createNamespace, listNamespaces } from "@/lib/services/namespaces/namespace-verbs";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(namespaceRoutes.list, async ({ ctx }) => ({ namespaces: await listNamespaces({ ctx }) }));

export const POST = withApi(namespaceRoutes.create, ({ ctx, body }) => createNamespace({ ctx, input: body }));
