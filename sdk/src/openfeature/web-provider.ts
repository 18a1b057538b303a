import {
  OpenFeatureEventEmitter,
  ProviderEvents,
  type JsonValue,
  type Provider,
  type ProviderEmittableEvents,
  type ResolutionDetails,
} from "@openfeature/web-sdk";
import { createClient, type ClientOptions, type MizuFlowClient } from "../client";
import { asSdkJson, ProviderBridge, resolveDetails, type MizuFlowProviderOptions } from "./provider-core";

export type MizuFlowWebProviderOptions = MizuFlowProviderOptions & ({ client: MizuFlowClient } | { clientOptions: ClientOptions });

/**
 * OpenFeature provider for `@openfeature/web-sdk` (browsers). Same flag-key mapping and events as
 * the server provider; evaluation is synchronous from the client's state. The client uses the
 * browser's native EventSource, so the key travels as `?sdk_key=`: use a key scoped to what the
 * page may see (it is visible to anyone who loads the page). Optional persistence:
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
    this.client = "client" in options ? options.client : createClient(options.clientOptions);
    this.bridge = new ProviderBridge(this.client, (e, d) => this.events.emit(e as ProviderEmittableEvents, d), ProviderEvents, options);
  }

  initialize(): Promise<void> {
    return this.bridge.initialize();
  }

  async onClose(): Promise<void> {
    this.bridge.dispose();
    if (this.ownsClient) await this.client.close();
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean): ResolutionDetails<boolean> {
    return resolveDetails(this.client, flagKey, "boolean", defaultValue, this.options.defaultNamespace);
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string): ResolutionDetails<string> {
    return resolveDetails(this.client, flagKey, "string", defaultValue, this.options.defaultNamespace);
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number): ResolutionDetails<number> {
    return resolveDetails(this.client, flagKey, "number", defaultValue, this.options.defaultNamespace);
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T): ResolutionDetails<T> {
    return resolveDetails(this.client, flagKey, "json", asSdkJson(defaultValue), this.options.defaultNamespace) as ResolutionDetails<T>;
  }
}
