"use client";

import { useState } from "react";
import type { VersionPage } from "@/lib/audit/audited-versions";
import type { Constraint } from "@/lib/rules/console-model";
import type { SegmentVersion, SegmentView } from "@/lib/segments/schemas";
import { createSegmentAction, deleteSegmentAction, updateSegmentAction } from "@/lib/segments/server-actions";
import { ConfirmDialog } from "../confirm-dialog";
import { SubmitButton, useActionForm } from "../ui/action-form";
import { useServerAction } from "../use-server-action";
import { ConstraintBuilder } from "./constraint-builder";
import { errorAt } from "./field-errors";
import { SegmentRollback } from "./segment-rollback";

/** Create form: key, name, constraints; 422s appear next to the field the server names. */
function CreateSegment({ namespace }: { namespace: string }) {
  const [key, setKey] = useState("");
  const [name, setName] = useState("");
  const [constraints, setConstraints] = useState<Constraint[]>([]);
  const { onSubmit, pending, result } = useActionForm(createSegmentAction, {
    // Controlled fields: the state is the input, and clearing it clears the form.
    input: () => ({ namespace, key, ...(name ? { name } : {}), constraints }),
    onDone() {
      setKey("");
      setName("");
      setConstraints([]);
    },
  });
  const errors = result && !result.ok ? result.fieldErrors : undefined;
  const keyErr = errorAt(errors, "key");
  return (
    <form className="panel stack" aria-labelledby="new-segment-title" onSubmit={onSubmit}>
      <h2 id="new-segment-title">New segment in {namespace}</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="segment-key">Key</label>
          <input id="segment-key" type="text" required value={key} onChange={(e) => setKey(e.target.value)} aria-invalid={keyErr ? true : undefined} aria-describedby={keyErr ? "segment-key-err" : undefined} />
          {keyErr && <span id="segment-key-err" className="error">{keyErr}</span>}
        </div>
        <div className="field">
          <label htmlFor="segment-name">Name (optional)</label>
          <input id="segment-name" type="text" value={name} onChange={(e) => setName(e.target.value)} />
        </div>
      </div>
      <ConstraintBuilder constraints={constraints} onChange={setConstraints} errors={errors} path="constraints" owner="New segment" />
      <SubmitButton pending={pending} label="Create segment" disabled={!key} />
    </form>
  );
}

function SegmentRow({ s, canWrite, versions }: { s: SegmentView; canWrite: boolean; versions?: VersionPage<SegmentVersion> }) {
  const [editing, setEditing] = useState(false);
  const [constraints, setConstraints] = useState<Constraint[]>(s.constraints as Constraint[]);
  const [confirming, setConfirming] = useState(false);
  const update = useActionForm(updateSegmentAction, {
    inlineCodes: ["conflict"],
    input: () => ({ namespace: s.namespace, segmentKey: s.key, constraints, expectedVersion: s.version }),
    onDone: () => setEditing(false),
  });
  const remove = useServerAction(deleteSegmentAction, { inlineCodes: ["conflict"] });
  const errors = update.result && !update.result.ok ? update.result.fieldErrors : undefined;
  const updateConflict = update.result && !update.result.ok && update.result.code === "conflict" ? update.result.message : null;
  const deleteConflict = remove.result && !remove.result.ok && remove.result.code === "conflict" ? remove.result.message : null;
  return (
    <li className="panel stack" data-testid={`segment-${s.key}`}>
      <div className="spread">
        <h3 style={{ margin: 0 }}>
          <code>{s.key}</code> {s.name && <span className="muted">{s.name}</span>}
        </h3>
        <span className="small muted">v{s.version}, {s.constraints.length} condition{s.constraints.length === 1 ? "" : "s"}</span>
      </div>
      {!editing && <pre className="value-box small" style={{ margin: 0 }}>{JSON.stringify(s.constraints, null, 2)}</pre>}
      {editing && (
        <form className="stack" aria-label={`Edit segment ${s.key}`} onSubmit={update.onSubmit}>
          <ConstraintBuilder constraints={constraints} onChange={setConstraints} errors={errors} path="constraints" owner={`Segment ${s.key}`} />
          <div className="row">
            <button type="submit" className="primary" disabled={update.pending}>{update.pending ? "Saving…" : "Save segment"}</button>
            <button type="button" onClick={() => setEditing(false)}>Cancel</button>
          </div>
        </form>
      )}
      {updateConflict && <p className="alert warn" role="alert">{updateConflict} Reload to see their version.</p>}
      {deleteConflict && <p className="alert warn" role="alert" data-testid="segment-in-use">{deleteConflict}</p>}
      {canWrite && !editing && (
        <div className="row">
          <button type="button" onClick={() => setEditing(true)}>Edit conditions</button>
          <button type="button" className="danger" onClick={() => setConfirming(true)}>Delete</button>
        </div>
      )}
      {canWrite && !editing && versions?.versions.some((v) => v.version < s.version) && <SegmentRollback s={s} firstPage={versions} />}
      <ConfirmDialog
        open={confirming}
        title={`Delete segment ${s.key}?`}
        confirmLabel="Delete segment"
        danger
        pending={remove.pending}
        onCancel={() => setConfirming(false)}
        onConfirm={async ({ reason }) => {
          await remove.run({ namespace: s.namespace, segmentKey: s.key, expectedVersion: s.version, ...(reason ? { reason } : {}) });
          setConfirming(false);
        }}
      >
        <p>SDKs stop receiving it in every environment. A segment still used by a rule cannot be deleted.</p>
      </ConfirmDialog>
    </li>
  );
}

/**
 * The segments page's body: the namespace's segments, and (for writers) create, edit, delete and,
 * when they may also read the history (`versions` given, per segment key), roll back.
 */
export function SegmentManager({ namespace, segments, canWrite, versions }: { namespace: string; segments: SegmentView[]; canWrite: boolean; versions?: Record<string, VersionPage<SegmentVersion>> }) {
  return (
    <div className="stack">
      {!canWrite && <p className="alert info">You can read these segments; changing them needs the right to change flags in every environment of {namespace}.</p>}
      {canWrite && <CreateSegment namespace={namespace} />}
      <h2>Segments of {namespace}</h2>
      {segments.length === 0 ? (
        <p className="empty">No segments in {namespace} yet.</p>
      ) : (
        <ul className="stack" style={{ listStyle: "none", padding: 0 }} aria-label={`Segments of ${namespace}`}>
          {segments.map((s) => <SegmentRow key={`${s.key}@${s.version}`} s={s} canWrite={canWrite} versions={versions?.[s.key]} />)}
        </ul>
      )}
    </div>
  );
}
