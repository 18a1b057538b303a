/**
 * The three engines of the evaluation benchmark, each loaded with equivalent flags:
 *  (a) "plain": on for everyone;
 *  (b) "rollout": a 50 % sticky rollout behind an IN constraint on a 20-value list.
 * Each is driven through what its users call: MizuFlow's SDK client `getBoolean` with a context,
 * unleash-client's evaluation core (UnleashClient over an in-memory repository: no network, no
 * metrics), flagd-core's public FlagdCore API.
 */
import { FlagdCore } from "@openfeature/flagd-core";
import UnleashClientModule from "unleash-client/lib/client.js";
import { defaultStrategies } from "unleash-client/lib/strategy/index.js";
import { createClient } from "../../sdk/src/client";
import { targetingEngine } from "../../sdk/src/local-eval/targeting-entry";
import { FeedEventSource } from "./feed-event-source";

// A CommonJS module with `exports.default`: Node hands ESM the exports object, bundlers the class.
const UnleashClient =
  (UnleashClientModule as unknown as { default?: typeof UnleashClientModule }).default ?? UnleashClientModule;

const NS = "bench";
export const TENANTS = Array.from({ length: 20 }, (_, i) => `tenant-${i}`);

export interface Engine {
  name: string;
  /** Returns whether the flag is on for the user (so the result is consumed). */
  plain(userId: string, tenant: string): boolean;
  rollout(userId: string, tenant: string): boolean;
}

/**
 * MizuFlow as an application uses it: the SDK client (the Node entry's defaults: the targeting
 * engine, no revision reports) holding a snapshot in the delivery contract's wire shape, read with
 * `getBoolean` and a context. Only the transport is in-process (feed-event-source.ts).
 */
export function mizuflow(): Engine {
  const client = createClient({
    url: "http://bench.local",
    sdkKey: "bench",
    EventSource: FeedEventSource,
    targeting: targetingEngine,
    reportRevision: false,
    logger: { warn: () => {}, error: () => {} },
  });
  const flag = (key: string, value: boolean, targeting?: object) => ({ namespace: NS, key, type: "boolean", value, version: 1, targeting });
  const rollout = {
    rules: [
      {
        constraints: [{ contextName: "tenant", operator: "IN", values: TENANTS }],
        gate: { percentage: 50, stickiness: "default", groupId: "rollout" },
        serve: { value: true },
      },
    ],
  };
  const snapshot = { revision: 1, environment: "production", flags: [flag("plain", true), flag("rollout", false, rollout)] };
  FeedEventSource.last.send("snapshot", 1, JSON.stringify(snapshot));
  if (client.state !== "ready") throw new Error(`bench client not ready (${client.state})`);
  return {
    name: "mizuflow",
    plain: (userId, tenant) => client.getBoolean(NS, "plain", false, { userId, properties: { tenant } }),
    rollout: (userId, tenant) => client.getBoolean(NS, "rollout", false, { userId, properties: { tenant } }),
  };
}

export function unleash(): Engine {
  const features = new Map<string, unknown>([
    ["plain", { name: "plain", enabled: true, strategies: [] }],
    [
      "rollout",
      {
        name: "rollout",
        enabled: true,
        strategies: [
          {
            name: "flexibleRollout",
            parameters: { rollout: "50", stickiness: "default", groupId: "rollout" },
            constraints: [{ contextName: "tenant", operator: "IN", values: TENANTS }],
          },
        ],
      },
    ],
  ]);
  const repository = { getToggle: (n: string) => features.get(n), getSegment: () => undefined };
  const client = new UnleashClient(repository as never, defaultStrategies);
  const off = () => false;
  return {
    name: "unleash-client",
    plain: (userId, tenant) => client.isEnabled("plain", { userId, properties: { tenant } }, off),
    rollout: (userId, tenant) => client.isEnabled("rollout", { userId, properties: { tenant } }, off),
  };
}

export function flagd(): Engine {
  const core = new FlagdCore();
  const onOff = { on: true, off: false };
  core.setConfigurations(
    JSON.stringify({
      flags: {
        plain: { state: "ENABLED", variants: onOff, defaultVariant: "on" },
        rollout: {
          state: "ENABLED",
          variants: onOff,
          defaultVariant: "off",
          targeting: { if: [{ in: [{ var: "tenant" }, TENANTS] }, { fractional: [["on", 50], ["off", 50]] }, "off"] },
        },
      },
    }),
  );
  return {
    name: "flagd-core",
    plain: (targetingKey, tenant) => core.resolveBooleanEvaluation("plain", false, { targetingKey, tenant }).value,
    rollout: (targetingKey, tenant) => core.resolveBooleanEvaluation("rollout", false, { targetingKey, tenant }).value,
  };
}
