import { withApi } from "@/lib/http/with-api";
import { userRoutes } from "@/lib/http/routes";
import { getUser } from "@/lib/services/users/get-user";
import { updateUser } from "@/lib/services/users/user-verbs";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(userRoutes.get, ({ ctx, params }) => getUser({ ctx, input: { userId: params.id } }));

export const PATCH = withApi(userRoutes.update, ({ ctx, params, body }) => updateUser({ ctx, input: { ...body, userId: params.id } }));
