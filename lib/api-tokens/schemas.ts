import { z } from "zod";
import { ROLES } from "../db/schema";
import { keySchema, nameSchema, reasonSchema } from "../validation/common";

/** Input schemas of the API-token verbs; the admin API and its OpenAPI document use these objects. */
export const CreateApiTokenSchema = z
  .object({
    name: nameSchema,
    role: z.enum(ROLES).describe("Role the token acts with in its namespaces"),
    namespaces: z
      .array(keySchema)
      .min(1, "must name at least one namespace (or be null for all)")
      .max(100, "at most 100 namespaces")
      .nullable()
      .describe("Namespaces the token acts in; null means every namespace"),
    superAdmin: z.boolean().optional().describe("May also manage environments, namespaces and every token"),
    expiresInDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .optional()
      .describe("Omit for a token that never expires. A token creating a token must set it, and not past its own expiry"),
    reason: reasonSchema.optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    // A super-admin token acts everywhere; a narrower role or scope next to it would only mislead.
    if (t.superAdmin && t.namespaces !== null) {
      ctx.addIssue({ code: "custom", path: ["namespaces"], message: "must be null for a super-admin token" });
    }
    if (t.superAdmin && t.role !== "admin") {
      ctx.addIssue({ code: "custom", path: ["role"], message: "must be admin for a super-admin token" });
    }
  });

export const RevokeApiTokenSchema = z
  .object({ id: z.number().int().min(1), reason: reasonSchema.optional() })
  .strict();

export const ApiTokenViewSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  prefix: z.string().describe("The first characters of the token, to recognise it"),
  role: z.enum(ROLES),
  superAdmin: z.boolean(),
  namespaces: z.array(z.string()).nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type ApiTokenView = z.infer<typeof ApiTokenViewSchema>;

export const CreatedApiTokenSchema = z.object({
  token: z.string().describe("The secret; shown only in this response"),
  apiToken: ApiTokenViewSchema,
});
export type CreatedApiToken = z.infer<typeof CreatedApiTokenSchema>;
