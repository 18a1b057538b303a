import { z } from "zod";

/**
 * Query strings carry only strings; these helpers turn them into typed values while the OpenAPI
 * document (generated from the input side) still describes what a client sends.
 */
export const queryBoolean = z
  .enum(["true", "false"], { error: "must be true or false" })
  .transform((v) => v === "true");

export const queryInt = (min: number, max: number) => z.coerce.number({ error: "must be an integer" }).int().min(min).max(max);

/** Query parameters as a plain object; a repeated parameter keeps its last value. */
export function queryObject(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url).searchParams);
}
