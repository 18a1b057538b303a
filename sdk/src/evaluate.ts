import type { FlagStore } from "./flag-store";
import type { ClientState, FlagType, JsonValue, Resolution } from "./types";

function matches(type: FlagType, value: unknown): boolean {
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

/**
 * Resolves one flag against the expected type. Never throws: every failure is the caller's
 * default plus a reason, so a typo or a type change in the console cannot crash an application.
 */
export function resolveFlag<T extends JsonValue>(
  store: FlagStore,
  state: ClientState,
  namespace: string,
  key: string,
  expected: FlagType,
  defaultValue: T,
): Resolution<T> {
  if (!store.hasData) {
    return { value: defaultValue, reason: "DEFAULT", errorCode: "PROVIDER_NOT_READY", errorMessage: "no flags loaded yet" };
  }
  const entry = store.get(namespace, key);
  if (!entry) {
    return {
      value: defaultValue,
      reason: "DEFAULT",
      errorCode: "FLAG_NOT_FOUND",
      errorMessage: `flag '${namespace}/${key}' is not served to this SDK key`,
    };
  }
  if (entry.type !== expected || !matches(expected, entry.value)) {
    return {
      value: defaultValue,
      reason: "ERROR",
      errorCode: "TYPE_MISMATCH",
      errorMessage: `flag '${namespace}/${key}' is a ${entry.type} flag, read as ${expected}`,
      version: entry.version,
      flagType: entry.type,
    };
  }
  return {
    value: entry.value as T,
    reason: state === "ready" ? "STATIC" : "CACHED",
    version: entry.version,
    flagType: entry.type,
  };
}
