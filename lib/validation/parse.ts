import type { z } from "zod";
import { ServiceError, type FieldIssue } from "../errors/service-error";

export function zodIssues(err: z.ZodError): FieldIssue[] {
  return err.issues.map((i) => ({ path: i.path.map(String).join(".") || "(body)", message: i.message }));
}

/** Parses service input; failures become a 422 that names each field and reason. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ServiceError("validation_failed", "Invalid input", { issues: zodIssues(result.error) });
  }
  return result.data;
}
