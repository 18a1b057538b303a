import type { FlagType } from "./types";

/**
 * Whether a value is one of a flag type: what the getters serve (evaluate.ts) and what a rule may
 * serve (targeting/checks.ts). A number must be finite; any JSON value (not `undefined`) is json.
 */
export function valueMatchesType(type: FlagType, value: unknown): boolean {
  switch (type) {
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "json":
      return value !== undefined;
  }
}
