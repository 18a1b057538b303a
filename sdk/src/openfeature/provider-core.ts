import type { ErrorCode, EvaluationContext, FlagMetadata, JsonValue as OFJsonValue, ResolutionDetails } from "@openfeature/core";
import type { MizuFlowClient } from "../client";
import type { FlagChange, FlagType, JsonValue } from "../types";
import { toEngineContext } from "./context-mapping";

/**
 * What the server and web providers share: flag-key mapping, resolution details, and the bridge
 * from client events to provider events. Type-only imports from @openfeature/core, so each
 * provider pulls in only its own OpenFeature SDK at runtime.
 *
 * Flag keys: an OpenFeature flag key is `namespace/key` (e.g. `checkout/new-flow`). A key without
 * `/` is looked up in `defaultNamespace` when one is configured. Namespaces and keys cannot contain
 * `/` themselves, so the mapping is unambiguous.
 */
export interface MizuFlowProviderOptions {
  /** Namespace for flag keys given without `namespace/`. */
  defaultNamespace?: string;
  /** `initialize()` rejects (provider ERROR) after this long without data. Default 10000. */
  readyTimeoutMs?: number;
  /** Only become READY on live data, not on a local snapshot. Default false. */
  waitForLive?: boolean;
}

export function splitFlagKey(flagKey: string, defaultNamespace?: string): { namespace: string; key: string } | null {
  const slash = flagKey.indexOf("/");
  if (slash < 0) return defaultNamespace ? { namespace: defaultNamespace, key: flagKey } : null;
  const namespace = flagKey.slice(0, slash);
  const key = flagKey.slice(slash + 1);
  if (!namespace || !key || key.includes("/")) return null;
  return { namespace, key };
}

export function resolveDetails<T extends JsonValue>(
  client: MizuFlowClient,
  flagKey: string,
  type: FlagType,
  defaultValue: T,
  defaultNamespace?: string,
  context?: EvaluationContext,
): ResolutionDetails<T> {
  const ref = splitFlagKey(flagKey, defaultNamespace);
  if (!ref) {
    return {
      value: defaultValue,
      reason: "ERROR",
      errorCode: "FLAG_NOT_FOUND" as ErrorCode,
      errorMessage: `flag key '${flagKey}' is not 'namespace/key' and no defaultNamespace is configured`,
    };
  }
  const r = client.getDetails(ref.namespace, ref.key, type, defaultValue, toEngineContext(context));
  const flagMetadata: FlagMetadata = { namespace: ref.namespace, key: ref.key, revision: client.revision };
  if (r.version !== undefined) flagMetadata.version = r.version;
  if (r.ruleIndex !== undefined) flagMetadata.ruleIndex = r.ruleIndex;
  if (r.payload !== undefined) ((flagMetadata.payloadType = r.payload.type), (flagMetadata.payload = r.payload.value));
  // DISABLED by a prerequisite that is missing or cyclic: a fact about the flag, not a failed call.
  if (r.errorMessage !== undefined && !r.errorCode) flagMetadata.detail = r.errorMessage;
  return {
    value: r.value,
    reason: r.reason,
    ...variantOf(r),
    ...(r.errorCode ? { errorCode: r.errorCode as ErrorCode, errorMessage: r.errorMessage } : {}),
    flagMetadata,
  };
}

/**
 * A split's variant name; for the environment's value (no rule decided), its version, which
 * identifies the served value of a key uniquely. A rule's plain value and an off flag name none.
 */
function variantOf(r: ReturnType<MizuFlowClient["getDetails"]>): { variant?: string } {
  if (r.errorCode) return {};
  if (r.variant !== undefined) return { variant: r.variant };
  const environmentValue = r.reason === "STATIC" || r.reason === "CACHED" || r.reason === "DEFAULT";
  return environmentValue && r.version !== undefined ? { variant: `v${r.version}` } : {};
}

/** The provider-event names (identical strings in the server and web SDKs). */
export interface ProviderEventNames {
  Ready: string;
  Stale: string;
  Error: string;
  ConfigurationChanged: string;
}

/**
 * Turns client state and updates into provider events. Nothing is emitted until `initialize()`
 * settles: the OpenFeature SDK emits READY (or ERROR) itself from initialize's outcome, and a
 * provider that starts stale (local snapshot) reports STALE right after.
 */
export class ProviderBridge {
  private initialized = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly client: MizuFlowClient,
    private readonly emit: (event: string, details?: Record<string, unknown>) => void,
    private readonly names: ProviderEventNames,
    private readonly options: MizuFlowProviderOptions,
  ) {}

  async initialize(): Promise<void> {
    this.unsubscribe.push(
      this.client.on("update", (u) => {
        if (!this.initialized) return;
        this.emit(this.names.ConfigurationChanged, { flagsChanged: this.flagNames(u.changes), metadata: { revision: u.revision } });
      }),
      this.client.on("state", (s) => {
        if (this.initialized) this.emitState(s.state, s.reason);
      }),
    );
    try {
      await this.client.ready({ live: this.options.waitForLive ?? false, timeoutMs: this.options.readyTimeoutMs ?? 10_000 });
    } finally {
      this.initialized = true;
    }
    const state = this.client.state;
    if (state === "stale" || state === "error") setTimeout(() => this.emitState(this.client.state), 0);
  }

  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private emitState(state: string, reason?: string): void {
    if (state === "ready") this.emit(this.names.Ready);
    else if (state === "stale") this.emit(this.names.Stale, { message: reason ?? "serving cached flags" });
    else if (state === "error") this.emit(this.names.Error, { message: reason ?? "stream unavailable" });
  }

  private flagNames(changes: FlagChange[]): string[] {
    const names = new Set<string>();
    for (const c of changes) {
      names.add(`${c.namespace}/${c.key}`);
      if (c.namespace === this.options.defaultNamespace) names.add(c.key);
    }
    return [...names];
  }
}

/** OpenFeature's JsonValue and the SDK's are the same shape; this keeps the casts in one place. */
export const asSdkJson = <T extends OFJsonValue>(v: T) => v as unknown as JsonValue;
