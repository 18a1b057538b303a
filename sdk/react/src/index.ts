import { createContext, createElement, useCallback, useContext, useMemo, useRef, useSyncExternalStore, type ReactNode } from "react";
import type { EvaluationContext, FlagType, JsonValue, MizuFlowClient, Resolution } from "@mizuflow/sdk";
import { createContextStore, mergeContexts, useIsomorphicLayoutEffect, useStableContext, type ContextStore } from "./context";

export { mergeContexts } from "./context";

/**
 * React bindings for the MizuFlow SDK: `<MizuFlowProvider client={...} context={...}>` makes a
 * client and an evaluation context available to the tree, `useFlag(namespace, key, default,
 * { context })` reads one flag for the provider's context merged with the hook's. A component
 * re-renders only when what its flag serves it changes: its own flag, a segment its rules name or a
 * flag it requires changed (the client reports each as a `change` of this flag; the hook subscribes
 * to them through useSyncExternalStore) or the context it uses
 * changed by value; never on a change of another flag, a reconnect, or a new but equal context literal.
 */
interface Scope {
  client: MizuFlowClient;
  /** The subtree's context; a store rather than a value, so a change re-renders only the hooks it changes. */
  context: ContextStore;
}
const NO_CONTEXT: ContextStore = { get: () => undefined, subscribe: () => () => {} };
const ScopeContext = createContext<Scope | null>(null);

export interface MizuFlowProviderProps {
  /**
   * A client from `@mizuflow/sdk` (browsers) or `@mizuflow/sdk/node`; the provider does not close
   * it. Optional inside another provider (that one's client is used).
   */
  client?: MizuFlowClient;
  /**
   * The evaluation context of this subtree (Unleash's shape: userId, sessionId, ..., anything else
   * under `properties`), merged over an enclosing provider's. Compared by value: an inline literal
   * re-renders nothing while its content is unchanged.
   */
  context?: EvaluationContext;
  children?: ReactNode;
}

export function MizuFlowProvider({ client, context, children }: MizuFlowProviderProps) {
  const outer = useContext(ScopeContext);
  const resolved = client ?? outer?.client;
  if (!resolved) throw new Error("<MizuFlowProvider> needs a client (or an enclosing provider with one)");
  const outerStore = outer?.context ?? NO_CONTEXT;
  // Only this provider re-renders when the enclosing context changes; its store then tells the hooks.
  const outerContext = useSyncExternalStore(outerStore.subscribe, outerStore.get, outerStore.get);
  const merged = useStableContext(mergeContexts(outerContext, context));
  const store = useRef<ReturnType<typeof createContextStore> | null>(null);
  if (!store.current) store.current = createContextStore(merged);
  useIsomorphicLayoutEffect(() => store.current!.set(merged), [merged]);
  // The scope object changes only with the client, so React context never re-renders the consumers.
  const scope = useMemo<Scope>(() => ({ client: resolved, context: store.current! }), [resolved]);
  return createElement(ScopeContext.Provider, { value: scope }, children);
}

function useScope(): Scope {
  const scope = useContext(ScopeContext);
  if (!scope) throw new Error("useFlag/useMizuFlowClient must be used inside <MizuFlowProvider>");
  return scope;
}

/** The client given to the nearest MizuFlowProvider. */
export function useMizuFlowClient(): MizuFlowClient {
  return useScope().client;
}

/** The evaluation context of the nearest MizuFlowProvider (merged with the enclosing ones'). */
export function useMizuFlowContext(): EvaluationContext | undefined {
  const { context } = useScope();
  return useSyncExternalStore(context.subscribe, context.get, context.get);
}

export interface FlagOptions {
  /** Merged over the provider's context for this flag only (a field here wins; `properties` merge too). */
  context?: EvaluationContext;
}

type Widen<T> = T extends boolean ? boolean : T extends string ? string : T extends number ? number : T;

const typeOf = (value: JsonValue): FlagType =>
  typeof value === "boolean" ? "boolean" : typeof value === "string" ? "string" : typeof value === "number" ? "number" : "json";

const sameJson = (a: unknown, b: unknown) => a === b || (typeof a === "object" && a !== null && typeof b === "object" && b !== null && JSON.stringify(a) === JSON.stringify(b));

/**
 * One flag through useSyncExternalStore. The last resolution object is handed back while what the
 * component shows is unchanged (the value; with `details` also reason, variant, rule, error and
 * version), so React skips the render for anything that did not change this flag's answer.
 */
function useResolution<T extends JsonValue>(namespace: string, key: string, defaultValue: T, details: boolean, options: FlagOptions | undefined): Resolution<Widen<T>> {
  const { client, context: store } = useScope();
  const own = useStableContext(options?.context);
  const last = useRef<Resolution<Widen<T>> | null>(null);
  // The default is read when the flag changes, not on every render: a new `{}` literal each render
  // must neither resubscribe nor count as a change.
  const fallback = useRef(defaultValue);
  fallback.current = defaultValue;
  const getSnapshot = useCallback((): Resolution<Widen<T>> => {
    const context = mergeContexts(store.get(), own);
    const res = client.getDetails(namespace, key, typeOf(fallback.current), fallback.current, context) as Resolution<Widen<T>>;
    const prev = last.current;
    const same =
      prev !== null &&
      sameJson(prev.value, res.value) &&
      (!details ||
        (prev.reason === res.reason &&
          prev.version === res.version &&
          prev.errorCode === res.errorCode &&
          prev.variant === res.variant &&
          prev.ruleIndex === res.ruleIndex &&
          sameJson(prev.payload, res.payload)));
    if (same) return prev;
    last.current = res;
    return res;
  }, [client, store, namespace, key, details, own]);
  const subscribe = useCallback(
    (notify: () => void) => {
      const offChange = client.on("change", (e) => {
        if (e.namespace === namespace && e.key === key) notify();
      });
      // Only details carry the reason, which a state change flips (STATIC <-> CACHED).
      const offState = details ? client.on("state", notify) : () => {};
      // A provider's context change: getSnapshot re-evaluates, and React re-renders only if the answer changed.
      const offContext = store.subscribe(notify);
      return () => {
        offChange();
        offState();
        offContext();
      };
    },
    [client, store, namespace, key, details],
  );
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}

/**
 * The full resolution of one flag (value, reason, variant, rule, error code, version) for the
 * provider's context merged with `options.context`. The flag's type is taken from `defaultValue`;
 * the default is served when the flag is absent or has another type. Re-renders when this flag's
 * answer changes: the flag itself, the context (by value), or the connection state turning its
 * reason between STATIC and CACHED.
 */
export function useFlagDetails<T extends JsonValue>(namespace: string, key: string, defaultValue: T, options?: FlagOptions): Resolution<Widen<T>> {
  return useResolution(namespace, key, defaultValue, true, options);
}

/**
 * The value of one flag (typed by `defaultValue`) for the provider's context merged with
 * `options.context`; re-renders the component only when that value changes.
 */
export function useFlag<T extends JsonValue>(namespace: string, key: string, defaultValue: T, options?: FlagOptions): Widen<T> {
  return useResolution(namespace, key, defaultValue, false, options).value;
}
