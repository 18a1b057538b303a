import type { Payload, Split, Variant } from "../model";
import { UnleashVariantSchema, type UnleashVariant } from "./payload";
import { type NoteSink, pathOf } from "./report";

function payloadOf(v: UnleashVariant): Payload | undefined {
  const p = v.payload;
  if (!p) return undefined;
  return { type: p.type || "string", value: typeof p.value === "string" ? p.value : JSON.stringify(p.value ?? null) };
}

const samePayload = (a: Payload | undefined, b: Payload | undefined) =>
  a?.type === b?.type && a?.value === b?.value;

/**
 * The flag's variants, gathered from its feature variants and every strategy's variants. An
 * Unleash variant is served with the boolean `true` (its feature is enabled) and its payload.
 */
export class VariantPool {
  readonly variants: Variant[] = [];
  private readonly byName = new Map<string, Variant>();

  /** The pool name for `v`: its own, unless another variant already took it with another payload. */
  add(v: UnleashVariant, at: string, notes: NoteSink): string {
    const payload = payloadOf(v);
    let name = v.name;
    for (let n = 2; ; n++) {
      const existing = this.byName.get(name);
      if (!existing) break;
      if (samePayload(existing.payload, payload)) return name;
      name = `${v.name}#${n}`;
    }
    if (name !== v.name) {
      notes.add("changed", at, `variant '${v.name}' reused with another payload; this one is named '${name}'`);
    }
    const variant: Variant = { name, value: true };
    if (payload) variant.payload = payload;
    this.variants.push(variant);
    this.byName.set(name, variant);
    return name;
  }
}

/**
 * Unleash variants as a split, or undefined when no variant can be chosen (weights sum to 0:
 * Unleash then serves "enabled" without a variant).
 */
export function translateSplit(
  raw: readonly unknown[],
  pool: VariantPool,
  hashing: { stickiness: string; groupId: string },
  at: (string | number)[],
  notes: NoteSink,
): Split | undefined {
  const entries: Split["variants"] = [];
  raw.forEach((item, i) => {
    const where = [...at, i];
    const parsed = UnleashVariantSchema.safeParse(item);
    if (!parsed.success) {
      notes.add("skipped", pathOf(where), "not a variant (needs name and weight)");
      return;
    }
    const v = parsed.data;
    let weight = v.weight;
    if (!Number.isInteger(weight) || weight < 0) {
      weight = Math.max(0, Math.round(weight));
      notes.add("changed", pathOf([...where, "weight"]), `weight ${v.weight} rounded to ${weight}`);
    }
    const entry: Split["variants"][number] = { variant: pool.add(v, pathOf(where), notes), weight };
    const overrides = (v.overrides ?? []).filter((o) => o.values.length > 0);
    if (overrides.length > 0) entry.overrides = overrides.map((o) => ({ contextName: o.contextName, values: o.values }));
    entries.push(entry);
  });
  if (entries.reduce((s, e) => s + e.weight, 0) <= 0) return undefined;
  return { variants: entries, stickiness: hashing.stickiness, groupId: hashing.groupId };
}
