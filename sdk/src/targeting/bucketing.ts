import murmurhash3js from "murmurhash3js";
import { contextValue, type EvaluationContext } from "./context";
import { PrefixedHash32 } from "./prefixed-hash";

/**
 * Unleash's bucketing, bit for bit: MurmurHash3 x86_32 of "{groupId}:{id}" (the same package
 * unleash-client uses), so a user lands in the same bucket here as in Unleash.
 */
const hash32 = murmurhash3js.x86.hash32;
const STRATEGY_SEED = 0;
/** Unleash's seed for variant assignment (independent of the rollout bucket). */
const VARIANT_SEED = 86028157;

/** 1..100: the context is inside a gate of p percent when this is <= p. */
export function gateBucket(groupId: string, id: string): number {
  return (hash32(`${groupId}:${id}`, STRATEGY_SEED) % 100) + 1;
}

/** 1..total: picks the variant whose cumulative weight first reaches it. */
export function variantBucket(groupId: string, id: string, totalWeight: number): number {
  return (hash32(`${groupId}:${id}`, VARIANT_SEED) % totalWeight) + 1;
}

/** `gateBucket` / `variantBucket` for one groupId, as a compiled gate or split calls it: "{groupId}:" is hashed once. */
export class Bucketer extends PrefixedHash32 {
  constructor(
    groupId: string,
    seed: number,
    private readonly modulo: number,
  ) {
    super(`${groupId}:`, seed);
  }

  bucket(id: string): number {
    return (this.hash(id) % this.modulo) + 1;
  }
}

export const gateBucketer = (groupId: string) => new Bucketer(groupId, STRATEGY_SEED, 100);
export const variantBucketer = (groupId: string, totalWeight: number) => new Bucketer(groupId, VARIANT_SEED, totalWeight);

function randomId(): string {
  return String(Math.round(Math.random() * 100_000) + 1);
}

/**
 * The id a percentage gate hashes. "default": userId, then sessionId, then a random id (so a
 * context with neither is in a p% gate with probability p%); "random": a random id; any other
 * name: that field, and a context without it is outside the gate (undefined), as in Unleash.
 */
export function gateStickinessId(context: EvaluationContext, stickiness: string): string | undefined {
  if (stickiness === "default") {
    const u = context.userId;
    if (typeof u === "string" && u !== "") return u;
    const s = context.sessionId;
    if (typeof s === "string" && s !== "") return s;
    return randomId();
  }
  if (stickiness === "random") return randomId();
  const v = contextValue(context, stickiness);
  return v === undefined || v === "" ? undefined : v;
}

/**
 * The id a variant split hashes. "default": userId, sessionId, remoteAddress, then random (Unleash
 * adds remoteAddress for variants); any other field falls back to a random id when absent.
 */
export function splitStickinessId(context: EvaluationContext, stickiness: string): string {
  if (stickiness === "default") {
    for (const f of ["userId", "sessionId", "remoteAddress"] as const) {
      const v = context[f];
      if (typeof v === "string" && v !== "") return v;
    }
    return randomId();
  }
  if (stickiness === "random") return randomId();
  const v = contextValue(context, stickiness);
  return v === undefined || v === "" ? randomId() : v;
}
