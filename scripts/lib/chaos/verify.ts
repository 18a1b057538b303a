import type { Namespace } from "etcd3";
import { FLAGS_DIR, TOMBSTONES_DIR } from "../../../lib/etcd/keys";
import { canonical, type ValueRow } from "./mysql-state";
import type { ClientFinal, ClientSpec, CommitRecord } from "./protocol";

export interface EtcdEntry {
  version: number;
  served: boolean;
  value?: string;
  /** A document and a tombstone side by side (the fence never leaves both). */
  both?: boolean;
}

/** etcd's flags and tombstones under the root, by flag id (`{env}/{ns}/{key}`). */
export async function readEtcdState(root: Namespace): Promise<Map<string, EtcdEntry>> {
  const out = new Map<string, EtcdEntry>();
  const [docs, tombs] = await Promise.all([root.getAll().prefix(FLAGS_DIR).strings(), root.getAll().prefix(TOMBSTONES_DIR).strings()]);
  for (const [k, raw] of Object.entries(tombs)) {
    const t = JSON.parse(raw) as { version: number };
    out.set(k.slice(TOMBSTONES_DIR.length), { version: t.version, served: false });
  }
  for (const [k, raw] of Object.entries(docs)) {
    const d = JSON.parse(raw) as { version: number; value: unknown };
    const id = k.slice(FLAGS_DIR.length);
    out.set(id, { version: d.version, served: true, value: canonical(d.value), both: out.has(id) });
  }
  return out;
}

/** Every way etcd differs from MySQL: each row at its exact version, served or tombstoned; nothing extra. */
export function etcdDrift(rows: ValueRow[], etcd: Map<string, EtcdEntry>): string[] {
  const problems: string[] = [];
  const known = new Set<string>();
  for (const row of rows) {
    known.add(row.id);
    const e = etcd.get(row.id);
    if (row.served) {
      if (!e?.served) problems.push(`${row.id}: MySQL serves v${row.version}, etcd has ${e ? `tombstone v${e.version}` : "nothing"}`);
      else if (e.version !== row.version) problems.push(`${row.id}: MySQL v${row.version}, etcd v${e.version}`);
      else if (e.value !== row.value) problems.push(`${row.id}: value differs at v${row.version} (MySQL ${row.value}, etcd ${e.value})`);
      else if (e.both) problems.push(`${row.id}: document and tombstone both present`);
    } else if (e?.served) problems.push(`${row.id}: not served in MySQL (v${row.version}), etcd serves v${e.version}`);
    else if (e && e.version !== row.version) problems.push(`${row.id}: tombstone v${e.version}, MySQL v${row.version}`);
  }
  for (const [id, e] of etcd) if (!known.has(id) && e.served) problems.push(`${id}: in etcd, unknown to MySQL`);
  return problems;
}

const inScope = (spec: Pick<ClientSpec, "environment" | "namespaces">, row: Pick<ValueRow, "environment" | "namespace">) =>
  row.environment === spec.environment && (spec.namespaces === null || spec.namespaces.includes(row.namespace));

/** How a client's final state differs from what MySQL serves in its scope. */
export function clientDrift(spec: ClientSpec, final: ClientFinal, rows: ValueRow[]): string[] {
  const problems: string[] = [];
  const want = new Map(rows.filter((r) => r.served && inScope(spec, r)).map((r) => [r.id, r]));
  for (const [id, r] of want) {
    const have = final.flags[id];
    if (!have) problems.push(`client ${spec.index}: lacks ${id} v${r.version}`);
    else if (have[0] !== r.version) problems.push(`client ${spec.index}: ${id} v${have[0]}, MySQL v${r.version}`);
    else if (have[1] !== r.value) problems.push(`client ${spec.index}: ${id} value ${have[1]}, MySQL ${r.value}`);
  }
  for (const id of Object.keys(final.flags)) if (!want.has(id)) problems.push(`client ${spec.index}: has ${id}, which MySQL does not serve to it`);
  return problems;
}

/**
 * Committed changes that did not make it: MySQL, etcd or an in-scope client still behind the
 * committed version at the end (a client may lack the flag only if MySQL no longer serves it).
 */
export function lostCommits(commits: CommitRecord[], rows: ValueRow[], etcd: Map<string, EtcdEntry>, clients: { spec: ClientSpec; final: ClientFinal }[]): string[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const newest = new Map<string, CommitRecord>();
  for (const c of commits) if ((newest.get(c.id)?.version ?? -1) < c.version) newest.set(c.id, c);
  const lost: string[] = [];
  for (const c of newest.values()) {
    const row = byId.get(c.id);
    if (!row || row.version < c.version) {
      lost.push(`${c.id} v${c.version}: MySQL holds ${row ? `v${row.version}` : "nothing"}`);
      continue;
    }
    const e = etcd.get(c.id);
    if (!e || e.version < c.version) {
      lost.push(`${c.id} v${c.version}: etcd holds ${e ? `v${e.version}` : "nothing"}`);
      continue;
    }
    for (const { spec, final } of clients) {
      if (!inScope(spec, row)) continue;
      const have = final.flags[c.id];
      if (have ? have[0] < c.version : row.served) {
        lost.push(`${c.id} v${c.version}: client ${spec.index} holds ${have ? `v${have[0]}` : "nothing"}`);
        break;
      }
    }
  }
  return lost;
}

/** Values clients saw that no commit had at that version (or a version seen while it was unserved). */
export function phantomValues(observed: Record<string, string>, commits: CommitRecord[]): string[] {
  const committed = new Map(commits.map((c) => [`${c.id}@${c.version}`, c]));
  const out: string[] = [];
  for (const [idv, value] of Object.entries(observed)) {
    const c = committed.get(idv);
    if (!c) continue; // a version whose report died with a killed writer: nothing to compare with
    if (!c.served) out.push(`${idv}: served ${value}, but that version was a removal`);
    else if (c.value !== value) out.push(`${idv}: served ${value}, committed ${c.value}`);
  }
  return out;
}
