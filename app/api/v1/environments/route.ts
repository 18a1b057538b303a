import { withApi } from "@/lib/http/with-api";
import { environmentRoutes } from "@/lib/http/routes";
import { createEnvironment, listEnvironments } from "@/lib/services/environments/environment-verbs";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(environmentRoutes.list, async ({ ctx }) =>
  ({ environments: await listEnvironments({ ctx }) }),
);

export const POST = withApi(environmentRoutes.create, ({ ctx, body }) => createEnvironment({ ctx, input: body }));
