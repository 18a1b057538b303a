import {
  OpenFeatureEventEmitter,
  ProviderEvents,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from "@openfeature/server-sdk";
import type { MizuFlowClient } from "../client";
import { createClient, type NodeClientOptions } from "../node";
import { asSdkJson, ProviderBridge, resolveDetails, type MizuFlowProviderOptions } from "./provider-core";

export type MizuFlowServerProviderOptions = MizuFlowProviderOptions &
  ({ client: MizuFlowClient } | { clientOptions: NodeClientOptions });

/**
 * OpenFeature provider for `@openfeature/server-sdk` (Node). Flag keys are `namespace/key`, or bare
 * keys in `defaultNamespace`. Values come from the client's in-memory state, so evaluation costs
 * no I/O; events: READY (first snapshot or local snapshot), STALE (stream lost or serving the local
 * snapshot), ERROR (refused key / nothing to serve), CONFIGURATION_CHANGED with `flagsChanged`.
 * The evaluation context maps onto the engine's (context-mapping.ts): `targetingKey` is `userId`
 * unless `userId` is set; reasons TARGETING_MATCH, SPLIT, DEFAULT, STATIC, DISABLED pass through
 * with the split's variant name and `flagMetadata.ruleIndex`.
 * Pass `client` to share an existing client (the provider then leaves closing it to you), or
 * `clientOptions` to let the provider own one.
 */
export class MizuFlowServerProvider implements Provider {
  readonly metadata = { name: "MizuFlow" } as const;
  readonly runsOn = "server" as const;
  readonly events = new OpenFeatureEventEmitter();
  readonly client: MizuFlowClient;
  private readonly ownsClient: boolean;
  private readonly bridge: ProviderBridge;

  constructor(private readonly options: MizuFlowServerProviderOptions) {
    this.ownsClient = !("client" in options);
    this.client = "client" in options ? options.client : createClient(options.clientOptions);
    this.bridge = new ProviderBridge(this.client, (e, d) => this.events.emit(e as ProviderEvents, d), ProviderEvents, options);
  }

  initialize(): Promise<void> {
    return this.bridge.initialize();
  }

  async onClose(): Promise<void> {
    this.bridge.dispose();
    if (this.ownsClient) await this.client.close();
  }

  async resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context?: EvaluationContext): Promise<ResolutionDetails<boolean>> {
    return resolveDetails(this.client, flagKey, "boolean", defaultValue, this.options.defaultNamespace, context);
  }

  async resolveStringEvaluation(flagKey: string, defaultValue: string, context?: EvaluationContext): Promise<ResolutionDetails<string>> {
    return resolveDetails(this.client, flagKey, "string", defaultValue, this.options.defaultNamespace, context);
  }

  async resolveNumberEvaluation(flagKey: string, defaultValue: number, context?: EvaluationContext): Promise<ResolutionDetails<number>> {
    return resolveDetails(this.client, flagKey, "number", defaultValue, this.options.defaultNamespace, context);
  }

  async resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context?: EvaluationContext): Promise<ResolutionDetails<T>> {
    return resolveDetails(this.client, flagKey, "json", asSdkJson(defaultValue), this.options.defaultNamespace, context) as ResolutionDetails<T>;
  }
}
