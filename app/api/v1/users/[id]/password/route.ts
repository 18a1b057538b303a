import { withApi } from "@/lib/http/with-api";
import { userRoutes } from "@/lib/http/routes";
import { setUserPassword } from "@/lib/services/users/user-verbs";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const PUT = withApi(userRoutes.setPassword, ({ ctx, params, body }) =>
  setUserPassword({ ctx, input: { ...body, userId: params.id } }),
);
