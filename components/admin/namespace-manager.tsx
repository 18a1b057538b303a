"use client";

import { useState } from "react";
import { createNamespaceAction, deleteNamespaceAction, updateNamespaceAction } from "@/lib/namespaces/server-actions";
import type { NamespaceView } from "@/lib/namespaces/schemas";
import { ConfirmDialog } from "../confirm-dialog";
import { Field } from "../field";
import { SubmitButton, useActionForm } from "../ui/action-form";
import { useServerAction } from "../use-server-action";

type Row = NamespaceView & { canAdmin: boolean };

/** Namespaces: list, create (administrators), rename / describe (namespace admins), delete when empty. */
export function NamespaceManager({ namespaces, superAdmin }: { namespaces: Row[]; superAdmin: boolean }) {
  const create = useActionForm(createNamespaceAction);
  const update = useServerAction(updateNamespaceAction);
  const remove = useServerAction(deleteNamespaceAction);
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  return (
    <>
      {namespaces.length === 0 ? (
        <p className="empty">{superAdmin ? "No namespaces yet: create the first one below." : "You have no role in any namespace yet."}</p>
      ) : (
        <div className="table-wrap panel" style={{ padding: 0 }}>
          <table>
            <thead>
              <tr><th scope="col">Key</th><th scope="col">Name</th><th scope="col">Description</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody>
              {namespaces.map((n) =>
                editing === n.key ? (
                  <tr key={n.key}>
                    <td colSpan={4}>
                      <form
                        className="form-grid"
                        onSubmit={async (e) => {
                          e.preventDefault();
                          const r = await update.run(new FormData(e.currentTarget));
                          if (r.ok) setEditing(null);
                        }}
                      >
                        <input type="hidden" name="key" value={n.key} />
                        <Field label={`Name of ${n.key}`} error={update.fieldError("name")}><input name="name" type="text" defaultValue={n.name} required /></Field>
                        <Field label="Description" error={update.fieldError("description")}><input name="description" type="text" defaultValue={n.description ?? ""} /></Field>
                        <Field label="Reason"><input name="reason" type="text" /></Field>
                        <div className="row">
                          <button type="submit" className="primary" disabled={update.pending}>Save</button>
                          <button type="button" onClick={() => setEditing(null)}>Cancel</button>
                        </div>
                      </form>
                    </td>
                  </tr>
                ) : (
                  <tr key={n.key}>
                    <td><code>{n.key}</code></td>
                    <td>{n.name}</td>
                    <td>{n.description ?? <span className="muted">—</span>}</td>
                    <td className="row">
                      <a href={`/flags?namespace=${n.key}`}>Flags</a>
                      {n.canAdmin && <button type="button" onClick={() => setEditing(n.key)}>Edit<span className="visually-hidden"> {n.key}</span></button>}
                      {superAdmin && <button type="button" className="danger" onClick={() => setDeleting(n.key)}>Delete<span className="visually-hidden"> {n.key}</span></button>}
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}

      {superAdmin && (
        <form className="panel stack" aria-labelledby="new-ns-title" onSubmit={create.onSubmit}>
          <h2 id="new-ns-title">Create a namespace</h2>
          <div className="form-grid">
            <Field label="Key" hint="e.g. checkout" error={create.fieldError("key")}><input name="key" type="text" required maxLength={128} autoComplete="off" /></Field>
            <Field label="Name" error={create.fieldError("name")}><input name="name" type="text" required maxLength={200} /></Field>
            <Field label="Description" error={create.fieldError("description")}><input name="description" type="text" maxLength={2000} /></Field>
            <Field label="Reason" error={create.fieldError("reason")}><input name="reason" type="text" maxLength={1000} /></Field>
          </div>
          <SubmitButton pending={create.pending} label="Create namespace" />
        </form>
      )}

      <ConfirmDialog
        open={deleting !== null}
        title={`Delete namespace ${deleting}?`}
        confirmLabel="Delete namespace"
        danger
        typeToConfirm={deleting ?? ""}
        pending={remove.pending}
        onCancel={() => setDeleting(null)}
        onConfirm={async ({ typed, reason }) => {
          const r = await remove.run({ key: deleting, confirm: typed, reason });
          if (r.ok) setDeleting(null);
        }}
      >
        <p>Only a namespace that never held a flag can be deleted.</p>
      </ConfirmDialog>
    </>
  );
}
