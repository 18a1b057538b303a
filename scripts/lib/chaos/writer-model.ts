import type { FlagView } from "../../../lib/flags/schemas";
import { canonical, type ValueRow } from "./mysql-state";
import type { CommitRecord, FlagSpec } from "./protocol";

/**
 * The writer's model of one flag: its state and each environment's version. Changes to a flag are
 * serialised, so the model is exact; every version it moves past is reported as a commit.
 */
export interface FlagModel {
  spec: FlagSpec;
  state: "live" | "archived" | "deleted";
  versions: Map<string, number>;
  counter: number;
  busy: boolean;
}

export function nextValue(m: FlagModel): unknown {
  m.counter++;
  switch (m.spec.type) {
    case "boolean":
      return m.counter % 2 === 0;
    case "number":
      return m.counter;
    case "string":
      return `s-${m.counter}`;
    default:
      return { n: m.counter, tag: `t${m.counter % 7}` };
  }
}

/** Applies MySQL's rows (or a verb's returned view) to the model; returns every version that moved. */
export function absorb(m: FlagModel, rows: { environment: string; version: number; served: boolean; value: string }[], via: CommitRecord["via"]): CommitRecord[] {
  const at = Date.now();
  const out: CommitRecord[] = [];
  for (const r of rows) {
    const had = m.versions.get(r.environment) ?? 0;
    if (r.version <= had) continue;
    m.versions.set(r.environment, r.version);
    out.push({
      id: `${r.environment}/${m.spec.namespace}/${m.spec.key}`,
      version: r.version,
      served: r.served,
      value: r.served ? r.value : undefined,
      at,
      via,
    });
  }
  return out;
}

export function absorbView(m: FlagModel, view: FlagView, via: CommitRecord["via"]): CommitRecord[] {
  m.state = view.archived ? "archived" : "live";
  return absorb(
    m,
    Object.entries(view.values).map(([environment, v]) => ({ environment, version: v.version, served: !view.archived, value: canonical(v.value) })),
    via,
  );
}

export function absorbRows(m: FlagModel, rows: ValueRow[]): CommitRecord[] {
  if (rows.length) m.state = rows[0]!.served ? "live" : m.state === "deleted" ? "deleted" : "archived";
  return absorb(m, rows, "baseline");
}

