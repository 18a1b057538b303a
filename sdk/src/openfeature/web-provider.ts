import {
  OpenFeatureEventEmitter,
  ProviderEvents,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ProviderEmittableEvents,
  type ResolutionDetails,
} from "@openfeature/web-sdk";
import { createClient, type ClientOptions, type MizuFlowClient } from "../client";
import { targetingEngine } from "../local-eval/targeting-entry";
import { asSdkJson, ProviderBridge, resolveDetails, type MizuFlowProviderOptions } from "./provider-core";

export type MizuFlowWebProviderOptions = MizuFlowProviderOptions & ({ client: MizuFlowClient } | { clientOptions: ClientOptions });

/**
 * OpenFeature provider for `@openfeature/web-sdk` (browsers). Same flag-key mapping and events as
 * the server provider; evaluation is synchronous from the client's state. The client uses the
 * browser's native EventSource, so the key travels as `?sdk_key=`: use a key scoped to what the
 * page may see (it is visible to anyone who loads the page). The static context set with
 * `OpenFeature.setContext` is the evaluation context (see context-mapping.ts). Optional persistence:
 * `clientOptions.snapshotStore = localStorageSnapshotStore()`.
 */
export class MizuFlowWebProvider implements Provider {
  readonly metadata = { name: "MizuFlow" } as const;
  readonly runsOn = "client" as const;
  readonly events = new OpenFeatureEventEmitter();
  readonly client: MizuFlowClient;
  private readonly ownsClient: boolean;
  private readonly bridge: ProviderBridge;

  constructor(private readonly options: MizuFlowWebProviderOptions) {
    this.ownsClient = !("client" in options);
    // A client the provider builds evaluates rules (the engine is bundled with this entry).
    this.client = "client" in options ? options.client : createClient({ targeting: targetingEngine, ...options.clientOptions });
    this.bridge = new ProviderBridge(this.client, (e, d) => this.events.emit(e as ProviderEmittableEvents, d), ProviderEvents, options);
  }

  initialize(): Promise<void> {
    return this.bridge.initialize();
  }

  async onClose(): Promise<void> {
    this.bridge.dispose();
    if (this.ownsClient) await this.client.close();
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context?: EvaluationContext): ResolutionDetails<boolean> {
    return resolveDetails(this.client, flagKey, "boolean", defaultValue, this.options.defaultNamespace, context);
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string, context?: EvaluationContext): ResolutionDetails<string> {
    return resolveDetails(this.client, flagKey, "string", defaultValue, this.options.defaultNamespace, context);
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number, context?: EvaluationContext): ResolutionDetails<number> {
    return resolveDetails(this.client, flagKey, "number", defaultValue, this.options.defaultNamespace, context);
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context?: EvaluationContext): ResolutionDetails<T> {
    return resolveDetails(this.client, flagKey, "json", asSdkJson(defaultValue), this.options.defaultNamespace, context) as ResolutionDetails<T>;
  }
}

/** The same web SDK, over OFREP with a client key (the server evaluates; no rules reach the page). */
export { MizuFlowOfrepWebProvider, type MizuFlowOfrepWebProviderOptions } from "./ofrep-web-provider";
