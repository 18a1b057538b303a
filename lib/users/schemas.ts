import { z } from "zod";
import { ROLES } from "../db/schema";
import { passwordSchema } from "../auth/password";
import { keySchema, nameSchema, reasonSchema } from "../validation/common";

const emailSchema = z.string().trim().toLowerCase().pipe(z.email("must be an e-mail address").max(254));
const userIdSchema = z.number().int().positive();

export const CreateUserSchema = z
  .object({
    email: emailSchema,
    name: nameSchema,
    password: passwordSchema.optional().describe("Omit for users who only sign in through OIDC"),
    isSuperAdmin: z.boolean().default(false),
    reason: reasonSchema.optional(),
  })
  .strict();

export const UpdateUserSchema = z
  .object({
    userId: userIdSchema,
    name: nameSchema.optional(),
    isSuperAdmin: z.boolean().optional(),
    disabled: z.boolean().optional(),
    reason: reasonSchema.optional(),
  })
  .strict();

export const SetPasswordSchema = z
  .object({
    userId: userIdSchema,
    password: passwordSchema,
    /** Required when users change their own password. */
    currentPassword: z.string().max(1000).optional(),
    reason: reasonSchema.optional(),
  })
  .strict();

const grantFields = {
  namespace: keySchema.nullable().describe("null grants the role in every namespace (super-admins only)"),
  role: z.enum(ROLES),
  environments: z.array(keySchema).min(1).max(50).nullable().optional().describe("Editors only: environments they may write to"),
  reason: reasonSchema.optional(),
};

const onlyEditorsLimited = (g: { role: string; environments?: string[] | null }) => !g.environments || g.role === "editor";
const onlyEditorsIssue = { path: ["environments"], message: "only an editor's writes can be limited to environments" };

export const GrantRoleSchema = z
  .object({ userId: userIdSchema, ...grantFields })
  .strict()
  .refine(onlyEditorsLimited, onlyEditorsIssue);

/** A grant without its user, for callers that name the user elsewhere (the admin API's path). */
export const GrantRoleBodySchema = z.object(grantFields).strict().refine(onlyEditorsLimited, onlyEditorsIssue);

export const RevokeRoleSchema = z
  .object({ userId: userIdSchema, namespace: keySchema.nullable(), reason: reasonSchema.optional() })
  .strict();

export const MembershipViewSchema = z.object({
  namespace: z.string().nullable().describe("null: the role holds in every namespace"),
  role: z.enum(ROLES),
  environments: z.array(z.string()).nullable().describe("Editors limited to some environments; null = all"),
});

export const UserViewSchema = z.object({
  id: z.number().int(),
  email: z.string(),
  name: z.string(),
  isSuperAdmin: z.boolean(),
  disabled: z.boolean(),
  hasPassword: z.boolean().describe("False for users who only sign in through OIDC"),
  createdAt: z.string(),
  memberships: z.array(MembershipViewSchema),
});

export type MembershipView = z.infer<typeof MembershipViewSchema>;
export type UserView = z.infer<typeof UserViewSchema>;
