import { z } from "zod";
import { descriptionSchema, keySchema, nameSchema, reasonSchema } from "../validation/common";

export const CreateNamespaceSchema = z
  .object({ key: keySchema, name: nameSchema, description: descriptionSchema.optional(), reason: reasonSchema.optional() })
  .strict();

export const UpdateNamespaceSchema = z
  .object({ key: keySchema, name: nameSchema.optional(), description: descriptionSchema.nullable().optional(), reason: reasonSchema.optional() })
  .strict();

export const DeleteNamespaceSchema = z.object({ key: keySchema, reason: reasonSchema.optional() }).strict();

export const NamespaceViewSchema = z.object({
  id: z.number().int(),
  key: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type NamespaceView = z.infer<typeof NamespaceViewSchema>;
