import { z } from "zod";
import { CreateUserSchema, GrantRoleBodySchema, MembershipViewSchema, SetPasswordSchema, UpdateUserSchema, UserViewSchema } from "./schemas";
import { KEY_PATTERN, reasonSchema } from "../validation/common";
import { defineRoute } from "../http/route-spec";
import { withApi } from "../http/with-api";
import { createUser, listUsers, setUserPassword, updateUser } from "./user-verbs";
import { getUser } from "./get-user";
import { grantRole, revokeRole } from "./membership-verbs";

const tag = "users";

const UserIdParamsSchema = z.object({
  id: z.coerce.number({ error: "must be a user id" }).int("must be a user id").min(1, "must be a user id").max(2_147_483_647, "must be a user id"),
});

/**
 * Which membership to revoke. A query string cannot say null, so `*` names the every-namespace role
 * (the same convention as the console's role form). The parameter is required: leaving it out is an
 * error, never a silent revoke of the every-namespace role.
 */
export const RevokeRoleQuerySchema = z
  .object({
    namespace: z
      .string({ error: "required: a namespace key, or * for the role held in every namespace" })
      .refine((v) => v === "*" || KEY_PATTERN.test(v), "must be a namespace key, or * for the role held in every namespace")
      .transform((v) => (v === "*" ? null : v))
      .describe("The namespace of the role to remove; * = the role held in every namespace (super-admins only)"),
    reason: reasonSchema.optional(),
  })
  .strict();

export const userRoutes = {
  list: defineRoute({
    route: "/api/v1/users",
    method: "GET",
    tag,
    summary: "List console users (super-admins; namespace admins see only memberships in namespaces they administer)",
    response: z.object({ users: z.array(UserViewSchema) }),
  }),
  create: defineRoute({
    route: "/api/v1/users",
    method: "POST",
    idempotent: true,
    tag,
    summary: "Create a console user (super-admins)",
    body: CreateUserSchema,
    response: UserViewSchema,
    status: 201,
    errors: [409],
  }),
  get: defineRoute({
    route: "/api/v1/users/[id]",
    method: "GET",
    tag,
    summary: "Get one console user (same visibility as the list)",
    params: UserIdParamsSchema,
    response: UserViewSchema,
    errors: [404],
  }),
  update: defineRoute({
    route: "/api/v1/users/[id]",
    method: "PATCH",
    idempotent: true,
    tag,
    summary: "Rename, disable/enable, or make/unmake a super-admin (super-admins; never yourself out of power)",
    params: UserIdParamsSchema,
    body: UpdateUserSchema.omit({ userId: true }),
    response: UserViewSchema,
    errors: [400, 404],
  }),
  setPassword: defineRoute({
    route: "/api/v1/users/[id]/password",
    method: "PUT",
    idempotent: true,
    tag,
    summary:
      "Reset a user's password (super-admins), or change your own with currentPassword (without a password yet: within 5 minutes of signing in, else 403 reauthentication_required); ends older sessions",
    params: UserIdParamsSchema,
    body: SetPasswordSchema.omit({ userId: true }),
    response: z.object({ changed: z.literal(true) }),
    errors: [404],
  }),
  grantRole: defineRoute({
    route: "/api/v1/users/[id]/roles",
    method: "PUT",
    idempotent: true,
    tag,
    summary: "Grant (or change) a user's role in one namespace (its admins), or in every namespace with namespace: null (super-admins)",
    description: "A user holds at most one role per namespace: granting again replaces it.",
    params: UserIdParamsSchema,
    body: GrantRoleBodySchema,
    response: MembershipViewSchema,
    errors: [404],
  }),
  revokeRole: defineRoute({
    route: "/api/v1/users/[id]/roles",
    method: "DELETE",
    idempotent: true,
    tag,
    summary: "Revoke a user's role: ?namespace=<key> for one namespace (its admins), ?namespace=* for the every-namespace role (super-admins)",
    params: UserIdParamsSchema,
    query: RevokeRoleQuerySchema,
    response: z.object({ revoked: z.boolean().describe("false if the user held no role there") }),
    errors: [404],
  }),
};

/** The users endpoints of the admin API, shared by the Next.js route files and the sidecar (node-api-adapter.ts). */
export const userHandlers = {
  setPassword: withApi(userRoutes.setPassword, ({ ctx, params, body }) =>
    setUserPassword({ ctx, input: { ...body, userId: params.id } })),
  grantRole: withApi(userRoutes.grantRole, ({ ctx, params, body }) => grantRole({ ctx, input: { ...body, userId: params.id } })),
  /** ?namespace=* arrives here as null (the every-namespace role); see RevokeRoleQuerySchema. */
  revokeRole: withApi(userRoutes.revokeRole, ({ ctx, params, query }) =>
    revokeRole({ ctx, input: { userId: params.id, namespace: query.namespace, reason: query.reason } })),
  get: withApi(userRoutes.get, ({ ctx, params }) => getUser({ ctx, input: { userId: params.id } })),
  update: withApi(userRoutes.update, ({ ctx, params, body }) => updateUser({ ctx, input: { ...body, userId: params.id } })),
  list: withApi(userRoutes.list, async ({ ctx }) => ({ users: await listUsers({ ctx }) })),
  create: withApi(userRoutes.create, ({ ctx, body }) => createUser({ ctx, input: body })),
};
