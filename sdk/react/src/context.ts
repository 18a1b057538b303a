import { useEffect, useLayoutEffect, useRef } from "react";
import type { EvaluationContext } from "@mizuflow/sdk";

/**
 * Evaluation contexts for the React bindings: merging (provider, nested provider, hook) and
 * comparison by value, so a context written as an inline literal (a new object every render) is
 * the same context while its content is.
 */

/**
 * `inner` over `outer`: a top-level field of `inner` wins; `properties` merge one level deep (the
 * rest of Unleash's shape is flat). Returns one of the inputs when the other is absent.
 */
export function mergeContexts(outer: EvaluationContext | undefined, inner: EvaluationContext | undefined): EvaluationContext | undefined {
  if (!outer) return inner;
  if (!inner) return outer;
  const merged: EvaluationContext = { ...outer, ...inner };
  if (outer.properties && inner.properties) merged.properties = { ...outer.properties, ...inner.properties };
  return merged;
}

/** A value key of a context: JSON with sorted object keys (Dates as their ISO string, as JSON writes them). */
export function contextKey(context: EvaluationContext | undefined): string {
  if (context === undefined) return "";
  return JSON.stringify(context, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** The first context seen with this content: the same object while the value is unchanged. */
export function useStableContext(context: EvaluationContext | undefined): EvaluationContext | undefined {
  const held = useRef<{ key: string; context: EvaluationContext | undefined } | null>(null);
  const key = contextKey(context);
  if (held.current === null || held.current.key !== key) held.current = { key, context };
  return held.current.context;
}

/**
 * A provider's context as a tiny store, so a context change reaches the hooks through their
 * useSyncExternalStore snapshot (re-rendering only the components whose answer changes), not
 * through React context (which would re-render every component that reads any flag).
 */
export interface ContextStore {
  get(): EvaluationContext | undefined;
  subscribe(listener: () => void): () => void;
}

export function createContextStore(initial: EvaluationContext | undefined): ContextStore & { set(next: EvaluationContext | undefined): void } {
  let current = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next) {
      if (next === current) return;
      current = next;
      for (const l of [...listeners]) l();
    },
  };
}

// Layout effect in the browser (the new context is applied before paint); plain effect on the
// server, where layout effects do not run (and React warns about them in older versions).
export const useIsomorphicLayoutEffect = typeof window === "undefined" ? useEffect : useLayoutEffect;
