import { describe, expect, it } from "vitest";
import type { AuditEventView } from "@/lib/audit/schemas";
import { describeEvent } from "./describe-event";

const base: AuditEventView = {
  id: 1,
  occurredAt: "2026-12-02T10:00:00.000Z",
  actorType: "user",
  actorId: "1",
  actorName: "admin@example.test",
  ip: null,
  traceId: null,
  action: "",
  targetType: "flag_value",
  targetId: 1,
  namespace: "checkout",
  environment: "production",
  flag: "new-flow",
  before: null,
  after: null,
  reason: null,
} as AuditEventView;

// The audit history reads as sentences for rule and segment changes too (issue 14), not only as JSON diffs.
describe("describeEvent for targeting", () => {
  it("says how a flag's rules changed in one environment", () => {
    const e = { ...base, action: "flag_targeting.set", before: { targeting: {}, version: 3 }, after: { targeting: { rules: [{}, {}] }, version: 4 } };
    expect(describeEvent(e)).toBe("changed the rules of checkout/new-flow in production (0 rules before, 2 rules now)");
  });

  it("names the segment and its conditions on create, update and delete", () => {
    const seg = (n: number) => ({ namespace: "checkout", key: "beta", constraints: Array(n).fill({}), version: n });
    expect(describeEvent({ ...base, action: "segment.create", flag: null, environment: null, after: seg(1) })).toBe("created segment checkout/beta with 1 condition");
    expect(describeEvent({ ...base, action: "segment.update", flag: null, environment: null, before: seg(1), after: seg(3) })).toBe(
      "changed segment checkout/beta (1 condition before, 3 conditions now)",
    );
    expect(describeEvent({ ...base, action: "segment.delete", flag: null, environment: null, before: seg(2) })).toBe("deleted segment checkout/beta");
  });

  it("describes an Unleash import", () => {
    expect(describeEvent({ ...base, action: "import.unleash", flag: null })).toBe("imported flags from Unleash into production (namespace checkout)");
  });
});
