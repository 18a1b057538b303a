import type { Constraint, Gate, Rule, Serve } from "../model";
import { parseRange } from "../values";
import { translateConstraint } from "./constraints";
import { UnleashStrategySchema, type UnleashStrategy } from "./payload";
import { type NoteSink, pathOf } from "./report";
import { translateSplit, type VariantPool } from "./variants";

export interface StrategyScope {
  feature: string;
  /** Unleash segment id -> MizuFlow segment key. */
  segmentKeys: ReadonlyMap<number, string>;
  pool: VariantPool;
  /** What a matched strategy without its own variants serves (feature variants, or true). */
  featureServe: Serve;
}

const csv = (s: string | null | undefined) => (s ? s.split(/\s*,\s*/) : []);

function percentage(params: Record<string, string | null>, name: string, at: string, notes: NoteSink): number {
  const p = Number(params[name]);
  if (Number.isNaN(p) || p < 0 || p > 100) {
    const clamped = Number.isNaN(p) ? 0 : Math.min(100, Math.max(0, p));
    notes.add("malformed", at, `${name} '${params[name]}' is not a percentage; imported as ${clamped}`);
    return clamped;
  }
  return p;
}

/** The rule parts a built-in strategy adds: a gate and/or constraints; undefined = never matches. */
function strategyParts(
  s: UnleashStrategy,
  scope: StrategyScope,
  at: (string | number)[],
  notes: NoteSink,
): { gate?: Gate; anyOf: Constraint[][] } | undefined {
  const params = s.parameters ?? {};
  const where = pathOf([...at, "parameters"]);
  switch (s.name) {
    case "default":
      return { anyOf: [[]] };
    case "flexibleRollout":
      return {
        anyOf: [[]],
        gate: {
          percentage: percentage(params, "rollout", where, notes),
          stickiness: params.stickiness || "default",
          groupId: params.groupId || scope.feature,
        },
      };
    case "gradualRolloutUserId":
    case "gradualRolloutSessionId":
      return {
        anyOf: [[]],
        gate: {
          percentage: percentage(params, "percentage", where, notes),
          stickiness: s.name === "gradualRolloutUserId" ? "userId" : "sessionId",
          groupId: params.groupId || "",
        },
      };
    case "gradualRolloutRandom":
      return { anyOf: [[]], gate: { percentage: percentage(params, "percentage", where, notes), stickiness: "random" } };
    case "userWithId": {
      const ids = csv(params.userIds);
      if (ids.length === 0) return undefined;
      return { anyOf: [[{ contextName: "userId", operator: "IN", values: ids }]] };
    }
    case "remoteAddress": {
      // Unleash: an IPv4 address/range matches by subnet, anything else only by exact string;
      // the two kinds become two rules (rules are tried in order, so this is an OR).
      const all = csv(params.IPs);
      if (all.length === 0) return undefined;
      const ranges = all.filter((r) => parseRange(r)?.[0].kind() === "ipv4");
      const exact = all.filter((r) => !ranges.includes(r));
      const anyOf: Constraint[][] = [];
      if (ranges.length > 0) anyOf.push([{ contextName: "remoteAddress", operator: "IN_CIDR", values: ranges }]);
      if (exact.length > 0) anyOf.push([{ contextName: "remoteAddress", operator: "IN", values: exact }]);
      return { anyOf };
    }
    case "applicationHostname": {
      const hosts = csv(params.hostNames?.toLowerCase());
      if (hosts.length === 0) return undefined;
      notes.add("changed", where, "applicationHostname matches the context field 'hostname' (send it lower-cased)");
      return { anyOf: [[{ contextName: "hostname", operator: "IN", values: hosts }]] };
    }
    default:
      return undefined;
  }
}

/**
 * One Unleash strategy as MizuFlow rules (usually one; remoteAddress mixing ranges and other
 * entries needs two, one per kind of match). Returns [] when the strategy can never match in
 * Unleash either (unknown strategy, unknown segment or operator, empty list), which is noted.
 */
export function translateStrategy(raw: unknown, index: number, scope: StrategyScope, notes: NoteSink): Rule[] {
  const at = ["strategies", index];
  const parsed = UnleashStrategySchema.safeParse(raw);
  if (!parsed.success) {
    notes.add("skipped", pathOf(at), "not a strategy (needs a name)");
    return [];
  }
  const s = parsed.data;
  if (s.disabled) {
    notes.add("skipped", pathOf(at), "disabled strategy (Unleash does not evaluate it)");
    return [];
  }
  const parts = strategyParts(s, scope, at, notes);
  if (!parts) {
    notes.add("skipped", pathOf(at), `strategy '${s.name}' cannot match (unknown strategy or empty list)`);
    return [];
  }
  const constraints: Constraint[] = [];
  for (const [i, c] of (s.constraints ?? []).entries()) {
    const t = translateConstraint(c, [...at, "constraints", i], notes);
    if (!t) return [];
    constraints.push(t);
  }
  const segments: string[] = [];
  for (const id of s.segments ?? []) {
    const key = scope.segmentKeys.get(id);
    if (key === undefined) {
      notes.add("skipped", pathOf([...at, "segments"]), `segment ${id} is not in the payload: the strategy never matches`);
      return [];
    }
    segments.push(key);
  }
  let serve = scope.featureServe;
  if (s.variants && s.variants.length > 0) {
    const params = s.parameters ?? {};
    const first = s.variants[0] as { stickiness?: unknown };
    const stickiness = (typeof first.stickiness === "string" && first.stickiness) || params.stickiness || "default";
    // Unleash hashes `${parameters.groupId}:id`, which is "undefined:id" when the strategy has none.
    const groupId = String(params.groupId ?? "undefined");
    const split = translateSplit(s.variants, scope.pool, { stickiness, groupId }, [...at, "variants"], notes);
    serve = split ? { split } : { value: true };
  }
  return parts.anyOf.map((own) => {
    const r: Rule = { constraints: [...own, ...constraints], segments, serve };
    if (parts.gate) r.gate = parts.gate;
    return r;
  });
}
