import { z } from "zod";
import { descriptionSchema, keySchema, nameSchema, reasonSchema } from "../validation/common";

export const CreateEnvironmentSchema = z
  .object({ key: keySchema, name: nameSchema, description: descriptionSchema.optional(), reason: reasonSchema.optional() })
  .strict();

export const EnvironmentViewSchema = z.object({
  id: z.number().int(),
  key: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  createdAt: z.string(),
});
export type EnvironmentView = z.infer<typeof EnvironmentViewSchema>;
