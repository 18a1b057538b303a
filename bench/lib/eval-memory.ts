/**
 * Retained heap of an SDK holding 10,000 compiled flags with 5 rules each (constraints of several
 * operators, a segment, a gate, a split), measured with forced GCs around the build.
 */
import { createFlagSet, type FlagSet } from "../../sdk/src/targeting/flag-set";
import { FlagTargetingSchema, type FlagTargeting, type Segment } from "../../sdk/src/targeting/model";

/** The five rules (several operators, a segment, a gate, a split) of bench flag `i`, shared by the memory benches. */
export function benchTargeting(i: number) {
  const list = (n: number, p: string) => Array.from({ length: n }, (_, j) => `${p}-${(i + j) % 997}`);
  return {
    variants: [
      { name: "a", value: "A" },
      { name: "b", value: "B" },
    ],
    rules: [
      { constraints: [{ contextName: "userId", operator: "IN", values: list(10, "user") }], serve: { value: "allow-listed" } },
      { constraints: [{ contextName: "email", operator: "STR_ENDS_WITH", values: ["@corp.example"], caseInsensitive: true }], serve: { value: "staff" } },
      { constraints: [{ contextName: "appVersion", operator: "SEMVER_GTE", value: `2.${i % 30}.0` }, { contextName: "country", operator: "IN", values: ["FR", "DE", "JP"] }], segments: ["beta"], serve: { value: "beta" } },
      { constraints: [{ contextName: "plan", operator: "NOT_IN", values: ["free"] }], gate: { percentage: 25, groupId: `flag-${i}` }, serve: { value: "rollout" } },
      { constraints: [{ contextName: "remoteAddress", operator: "IN_CIDR", values: ["10.0.0.0/8"] }], serve: { split: { variants: [{ variant: "a", weight: 50 }, { variant: "b", weight: 50 }] } } },
    ],
  };
}

function flagDoc(i: number): FlagTargeting {
  return FlagTargetingSchema.parse({ key: `flag-${i}`, type: "string", value: "control", ...benchTargeting(i) });
}

const segments: Segment[] = [{ key: "beta", constraints: [{ contextName: "email", operator: "REGEX", value: "^[a-z]+\\.beta@" }] }];

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** For scale: the same flags as parsed JSON documents (what the stream delivers), and their JSON size. */
export function measureDocuments(flags = 10_000): { bytes: number; jsonBytes: number; keepAlive: FlagTargeting[] } {
  const before = heapUsed();
  const docs = Array.from({ length: flags }, (_, i) => flagDoc(i));
  const bytes = heapUsed() - before;
  return { bytes, jsonBytes: Buffer.byteLength(JSON.stringify(docs)), keepAlive: docs };
}

export function measureSdkMemory(flags = 10_000): { bytes: number; gcForced: boolean; keepAlive: FlagSet } {
  const gcForced = typeof (globalThis as { gc?: unknown }).gc === "function";
  const before = heapUsed();
  // The documents are dropped once compiled, as the SDK does after applying a snapshot.
  const set = createFlagSet(Array.from({ length: flags }, (_, i) => flagDoc(i)), segments);
  const after = heapUsed();
  return { bytes: after - before, gcForced, keepAlive: set };
}
