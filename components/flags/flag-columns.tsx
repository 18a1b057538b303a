import { createColumnHelper } from "@tanstack/react-table";
import Link from "next/link";
import type { FlagView } from "@/lib/flags/schemas";
import type { TableFeatureSet } from "../data-table";
import { describeLastSeen, latestSighting, type LastSeenByFlag } from "@/lib/last-seen/last-seen-view";
import { InlineToggle } from "./inline-toggle";
import { ValueBadge } from "./value-badge";

const col = createColumnHelper<TableFeatureSet, FlagView>();

/**
 * The flag list's columns: key, type, last change and last seen sort; one value column per shown environment,
 * where a boolean the viewer may change is an on/off switch (InlineToggle); and when an SDK last
 * held the flag in any environment ("now", a time, "never"; per environment in the tooltip).
 */
export function flagColumns(environments: string[], canWrite: (namespace: string, environment: string) => boolean, lastSeen?: LastSeenByFlag | null) {
  return [
    col.accessor((f) => `${f.namespace}/${f.key}`, {
      id: "flag",
      header: "Flag",
      sortFn: "alphanumeric",
      cell: ({ row: { original: f } }) => (
        <>
          <Link href={`/flags/${f.namespace}/${f.key}`}>
            <span className="muted">{f.namespace}/</span>
            <strong>{f.key}</strong>
          </Link>
          {f.archived && <> <span className="badge warn">archived</span></>}
          {f.description && <div className="small muted">{f.description}</div>}
        </>
      ),
    }),
    col.accessor("type", { header: "Type", sortFn: "text", cell: (c) => <code>{c.getValue()}</code> }),
    ...environments.map((e) =>
      col.display({
        id: `env:${e}`,
        header: e,
        cell: ({ row: { original: f } }) =>
          !f.values[e] ? <span className="muted">—</span>
          : f.type === "boolean" && !f.archived && canWrite(f.namespace, e) ? <InlineToggle flag={f} environment={e} />
          : <ValueBadge type={f.type} value={f.values[e]!.value} />,
      }),
    ),
    col.display({ id: "tags", header: "Tags", cell: ({ row: { original: f } }) => f.tags.map((t) => <span key={t} className="badge" style={{ marginRight: 4 }}>{t}</span>) }),
    col.accessor("updatedAt", {
      header: "Changed",
      sortFn: "datetime",
      cell: (c) => <time dateTime={c.getValue()} className="small">{c.getValue().slice(0, 16).replace("T", " ")}</time>,
    }),
    // Sorted on the server like the others ("seen"); the accessor only makes the header a sort button.
    col.accessor((f) => latestSighting(lastSeen?.[`${f.namespace}/${f.key}`])?.at ?? "", {
      id: "lastSeen",
      header: "Last seen",
      sortFn: "text",
      cell: ({ row: { original: f } }) => {
        const byEnv = lastSeen?.[`${f.namespace}/${f.key}`];
        const latest = latestSighting(byEnv);
        if (!latest) return <span className="muted small">{lastSeen === null ? "unknown" : "—"}</span>;
        const perEnv = Object.entries(byEnv!).map(([e, s]) => `${e}: ${describeLastSeen(s)}`).join("; ");
        return <span className="small" title={perEnv} data-testid="last-seen">{describeLastSeen(latest)}</span>;
      },
    }),
  ];
}
