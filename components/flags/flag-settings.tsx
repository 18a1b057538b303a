"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { archiveFlagAction, deleteFlagAction, updateFlagAction } from "@/lib/flags/server-actions";
import type { FlagView } from "@/lib/flags/schemas";
import { ConfirmDialog } from "../confirm-dialog";
import { Field } from "../field";
import { JsonDiff } from "../json-diff";
import { useServerAction } from "../use-server-action";
import { ValueEditor, type Draft } from "../value-editor";
import type { FlagPerms } from "./flag-detail";

const parseTags = (s: string) => s.split(",").map((t) => t.trim()).filter(Boolean);

/** Description, tags and default value (with a diff before saving), and archive / delete. */
export function FlagSettings({ flag, perms }: { flag: FlagView; perms: FlagPerms }) {
  const router = useRouter();
  const update = useServerAction(updateFlagAction);
  const archive = useServerAction(archiveFlagAction);
  const remove = useServerAction(deleteFlagAction, { refresh: false });
  const [description, setDescription] = useState(flag.description ?? "");
  const [tags, setTags] = useState(flag.tags.join(", "));
  const [draft, setDraft] = useState<Draft>({ ok: true, value: flag.defaultValue });
  const [reason, setReason] = useState("");
  const [reviewing, setReviewing] = useState(false);
  const [dialog, setDialog] = useState<"archive" | "delete" | null>(null);

  const before = { description: flag.description ?? "", tags: flag.tags, defaultValue: flag.defaultValue };
  const after = { description, tags: parseTags(tags), defaultValue: draft.ok ? draft.value : flag.defaultValue };
  const changed = draft.ok && JSON.stringify(before) !== JSON.stringify(after);
  const ro = !perms.write;

  return (
    <div className="stack">
      <form className="panel stack" onSubmit={(e) => { e.preventDefault(); if (changed) setReviewing(true); }}>
        <h2>Settings</h2>
        {update.result && !update.result.ok && <p className="alert error" role="alert">{update.result.message}</p>}
        <Field label="Description" error={update.fieldError("description")}>
          <input type="text" value={description} disabled={ro} maxLength={2000} onChange={(e) => { setDescription(e.target.value); setReviewing(false); }} />
        </Field>
        <Field label="Tags" hint="Comma-separated" error={update.fieldError("tags") ?? update.fieldError("tags.0")}>
          <input type="text" value={tags} disabled={ro} onChange={(e) => { setTags(e.target.value); setReviewing(false); }} />
        </Field>
        <fieldset className="stack" style={{ border: "none", padding: 0, margin: 0 }}>
          <legend style={{ fontWeight: 600 }}>Default value (used for new environments)</legend>
          <ValueEditor type={flag.type} initial={flag.defaultValue} label="Default value" disabled={ro} onChange={(d) => { setDraft(d); setReviewing(false); }} />
        </fieldset>
        {!ro && !reviewing && <div><button type="submit" className="primary" disabled={!changed}>Review changes</button></div>}
        {reviewing && (
          <div className="stack">
            <JsonDiff before={before} after={after} beforeLabel={`Now (v${flag.version})`} afterLabel="After saving" />
            <Field label="Reason (optional)">
              <input type="text" value={reason} maxLength={1000} onChange={(e) => setReason(e.target.value)} />
            </Field>
            <div className="row">
              <button
                type="button"
                className="primary"
                disabled={update.pending}
                onClick={() => update.run({ namespace: flag.namespace, key: flag.key, description: after.description, tags: after.tags, defaultValue: after.defaultValue, expectedVersion: flag.version, reason })}
              >
                {update.pending ? "Saving…" : "Save settings"}
              </button>
              <button type="button" onClick={() => setReviewing(false)}>Back to editing</button>
            </div>
          </div>
        )}
      </form>

      {(perms.writeAll || perms.admin) && (
        <section className="panel stack" aria-labelledby="danger-title">
          <h2 id="danger-title">Archive or delete</h2>
          <p className="small muted">Archived and deleted flags are no longer served: SDKs see them removed.</p>
          <div className="row">
            {perms.writeAll && (
              <button type="button" onClick={() => setDialog("archive")}>{flag.archived ? "Restore flag" : "Archive flag"}</button>
            )}
            {perms.admin && <button type="button" className="danger" onClick={() => setDialog("delete")}>Delete flag</button>}
          </div>
        </section>
      )}

      <ConfirmDialog
        open={dialog === "archive"}
        title={flag.archived ? `Restore ${flag.key}?` : `Archive ${flag.key}?`}
        confirmLabel={flag.archived ? "Restore" : "Archive"}
        pending={archive.pending}
        onCancel={() => setDialog(null)}
        onConfirm={async ({ reason }) => {
          const r = await archive.run({ namespace: flag.namespace, key: flag.key, archived: !flag.archived, expectedVersion: flag.version, reason });
          if (r.ok) setDialog(null);
        }}
      >
        <p>{flag.archived ? "SDKs will receive this flag again, with its current values." : "SDKs stop receiving this flag in every environment. You can restore it later."}</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === "delete"}
        title={`Delete ${flag.namespace}/${flag.key}?`}
        confirmLabel="Delete flag"
        danger
        typeToConfirm={flag.key}
        pending={remove.pending}
        onCancel={() => setDialog(null)}
        onConfirm={async ({ typed, reason }) => {
          const r = await remove.run({ namespace: flag.namespace, key: flag.key, confirm: typed, expectedVersion: flag.version, reason });
          if (r.ok) router.push("/flags");
        }}
      >
        <p>The flag disappears from every environment and from SDKs. Its audit history is kept.</p>
      </ConfirmDialog>
    </div>
  );
}
