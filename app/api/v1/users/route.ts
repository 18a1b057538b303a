import { withApi } from "@/lib/http/with-api";
import { userRoutes } from "@/lib/http/routes";
import { createUser, listUsers } from "@/lib/services/users/user-verbs";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = withApi(userRoutes.list, async ({ ctx }) => ({ users: await listUsers({ ctx }) }));

export const POST = withApi(userRoutes.create, ({ ctx, body }) => createUser({ ctx, input: body }));
