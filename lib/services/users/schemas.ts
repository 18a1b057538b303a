import { z } from "zod";
import { ROLES } from "../../db/schema";
import { passwordSchema } from "../../auth/password";
import { keySchema, nameSchema, reasonSchema } from "../../validation/common";

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

export const GrantRoleSchema = z
  .object({
    userId: userIdSchema,
    namespace: keySchema.nullable().describe("null grants the role in every namespace (super-admins only)"),
    role: z.enum(ROLES),
    environments: z.array(keySchema).min(1).max(50).nullable().optional().describe("Editors only: environments they may write to"),
    reason: reasonSchema.optional(),
  })
  .strict()
  .refine((g) => !g.environments || g.role === "editor", { path: ["environments"], message: "only an editor's writes can be limited to environments" });

export const RevokeRoleSchema = z
  .object({ userId: userIdSchema, namespace: keySchema.nullable(), reason: reasonSchema.optional() })
  .strict();

export interface MembershipView {
  namespace: string | null;
  role: (typeof ROLES)[number];
  environments: string[] | null;
}

export interface UserView {
  id: number;
  email: string;
  name: string;
  isSuperAdmin: boolean;
  disabled: boolean;
  hasPassword: boolean;
  createdAt: string;
  memberships: MembershipView[];
}
