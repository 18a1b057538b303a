"use client";

import { Fragment, useState, type ReactNode } from "react";
import type { AuditEventView } from "@/lib/audit/schemas";
import { JsonDiff } from "../json-diff";
import { describeEvent } from "./describe-event";

/**
 * Audit events as a table; each row opens to show who (actor, IP, trace id), why (reason) and what
 * changed as a side-by-side diff of the before/after snapshots.
 */
export function AuditEventList({ events, actions }: { events: AuditEventView[]; actions?: (e: AuditEventView) => ReactNode }) {
  const [open, setOpen] = useState<Set<number>>(new Set());
  const toggle = (id: number) => setOpen((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n; });
  return (
    <div className="table-wrap">
      <table data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">When (UTC)</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Reason</th>
            <th scope="col"><span className="visually-hidden">Details</span></th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <Fragment key={e.id}>
              <tr className={open.has(e.id) ? "selected" : undefined}>
                <td className="small"><time dateTime={e.occurredAt}>{e.occurredAt.replace("T", " ").slice(0, 19)}</time></td>
                <td>{e.actorName}{e.actorType !== "user" && <span className="small muted"> ({e.actorType.replace("_", " ")})</span>}</td>
                <td><code className="small">{e.action}</code> {describeEvent(e)}</td>
                <td className="small">{e.reason ?? <span className="muted">—</span>}</td>
                <td>
                  <button type="button" aria-expanded={open.has(e.id)} aria-controls={`audit-${e.id}`} onClick={() => toggle(e.id)}>
                    {open.has(e.id) ? "Hide" : "Show"} diff<span className="visually-hidden"> of event {e.id}</span>
                  </button>
                </td>
              </tr>
              {open.has(e.id) && (
                <tr id={`audit-${e.id}`}>
                  <td colSpan={5}>
                    <div className="stack">
                      <dl className="row small" style={{ gap: "1.25rem", margin: 0 }}>
                        <div><dt className="muted">Event</dt><dd style={{ margin: 0 }}>#{e.id}</dd></div>
                        <div><dt className="muted">Actor</dt><dd style={{ margin: 0 }}>{e.actorName} ({e.actorType}{e.actorId ? ` ${e.actorId}` : ""})</dd></div>
                        <div><dt className="muted">IP</dt><dd style={{ margin: 0 }}>{e.ip ?? "unknown"}</dd></div>
                        <div><dt className="muted">Trace id</dt><dd style={{ margin: 0 }}><code>{e.traceId ?? "none"}</code></dd></div>
                        {e.environment && <div><dt className="muted">Environment</dt><dd style={{ margin: 0 }}>{e.environment}</dd></div>}
                      </dl>
                      <JsonDiff before={e.before ?? undefined} after={e.after ?? undefined} />
                      {actions?.(e)}
                    </div>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}
