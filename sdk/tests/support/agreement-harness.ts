import fc from "fast-check";
import { afterAll } from "vitest";
import { createClient, type MizuFlowClient } from "../../src/client";
import { targetingEngine } from "../../src/local-eval/targeting-entry";
import { FakeEventSource } from "./fake-event-source";

/**
 * What the agreement tests (SDK = engine, console preview = SDK = engine) generate and feed: the
 * same constraints and contexts on every side, so a disagreement is the code's, not the inputs'.
 */
const NOW = "2026-06-01T00:00:00.000Z";

/**
 * One constraint of every operator family, maybe inverted. `malformed` adds operands the engine
 * must survive (a number, version, regex or CIDR that does not parse); the console refuses them
 * when it stores targeting, so the preview never sees them.
 */
export const constraintArb = ({ malformed }: { malformed: boolean }) => {
  const maybe = (values: string[], bad: string) => (malformed ? [...values, bad] : values);
  return fc
    .oneof(
      fc.record({ contextName: fc.constantFrom("userId", "plan"), operator: fc.constant("IN"), values: fc.subarray(["u1", "u2", "u3", "pro", "team"]) }),
      fc.record({ contextName: fc.constant("plan"), operator: fc.constantFrom("NOT_IN", "STR_STARTS_WITH", "STR_CONTAINS"), values: fc.subarray(["pr", "PRO", "team", "t"]), caseInsensitive: fc.boolean() }),
      fc.record({ contextName: fc.constant("age"), operator: fc.constantFrom("NUM_GT", "NUM_LTE", "NUM_EQ"), value: fc.constantFrom(...maybe(["18", "30"], "x")) }),
      fc.record({ contextName: fc.constant("appVersion"), operator: fc.constantFrom("SEMVER_GTE", "SEMVER_LT"), value: fc.constantFrom(...maybe(["1.2.0", "2.0.0-beta.1"], "bad")) }),
      fc.record({ contextName: fc.constant("currentTime"), operator: fc.constantFrom("DATE_AFTER", "DATE_BEFORE"), value: fc.constantFrom("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z") }),
      fc.record({ contextName: fc.constant("userId"), operator: fc.constant("REGEX"), value: fc.constantFrom(...maybe(["^u[12]$", "3"], "(")) }),
      fc.record({ contextName: fc.constant("remoteAddress"), operator: fc.constant("IN_CIDR"), values: fc.subarray(maybe(["10.0.0.0/8", "192.168.1.1"], "nope")) }),
    )
    .chain((c) => fc.boolean().map((inverted) => ({ ...c, inverted })));
};

export const stickinessArb = fc.constantFrom("default", "userId", "sessionId", "plan");

/** Every field set, so stickiness is never random and each side's answer is deterministic. */
export const contextArb = fc.record({
  userId: fc.constantFrom("u1", "u2", "u3", "u4"),
  sessionId: fc.constantFrom("s1", "s2", "s3"),
  remoteAddress: fc.constantFrom("10.1.2.3", "192.168.1.1", "::1"),
  currentTime: fc.constant(NOW),
  properties: fc.record({ plan: fc.constantFrom("pro", "team", "free"), age: fc.constantFrom(17, 25, 40), appVersion: fc.constantFrom("1.1.0", "1.5.0", "2.0.0-beta.2", "2.1.0") }),
});

/**
 * The SDK side: a client with the engine on an open fake stream, so each generated case goes the
 * whole way (a `snapshot` event parsed, stored, compiled, evaluated). Call inside a describe: the
 * client is closed after all its tests.
 */
export function snapshotFedClient(): { client: MizuFlowClient; es: FakeEventSource } {
  const client = createClient({ url: "http://flags.test", sdkKey: "k", EventSource: FakeEventSource, logger: { warn: () => {}, error: () => {} }, reportRevision: false, targeting: targetingEngine });
  const es = FakeEventSource.latest();
  es.open();
  afterAll(async () => {
    await client.close();
    FakeEventSource.instances = [];
  });
  return { client, es };
}
