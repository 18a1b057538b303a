"use client";

import { useState, type ReactNode } from "react";
import type { ActionResult } from "@/lib/actions/action-result";
import { ConfirmDialog } from "../confirm-dialog";
import { useActionForm } from "../ui/action-form";
import { useServerAction } from "../use-server-action";

/**
 * What the API token and SDK key pages share: both issue a secret that is shown once, scope it to
 * namespaces, and revoke it for good with a reason.
 */
type Action<T> = (input: unknown) => Promise<ActionResult<T>>;

interface Revocable {
  id: number;
  name: string;
  revokedAt: string | null;
}

/** The create form's action; after a success it holds the new secret until the reveal is dismissed. */
export function useIssueForm<T>(action: Action<T>, secretOf: (made: T) => string) {
  const [secret, setSecret] = useState<string | null>(null);
  const form = useActionForm(action, {
    onDone(made, el) {
      setSecret(secretOf(made));
      el.reset();
    },
  });
  return { ...form, secret, dismissSecret: () => setSecret(null) };
}

/** The namespaces a new credential may read, and "every namespace" for an administrator. */
export function NamespaceChoice({ legend, namespaces, superAdmin, error }: { legend: string; namespaces: string[]; superAdmin: boolean; error: string | undefined }) {
  return (
    <fieldset style={{ border: "none", padding: 0, margin: 0 }}>
      <legend style={{ fontWeight: 600 }}>{legend}</legend>
      <div className="row">
        {namespaces.map((n) => <label key={n} className="checkbox"><input type="checkbox" name="namespaces" value={n} /> {n}</label>)}
        {superAdmin && <label className="checkbox"><input type="checkbox" name="allNamespaces" /> every namespace</label>}
      </div>
      {error && <span className="error">{error}</span>}
    </fieldset>
  );
}

/** A row's Revoke button (naming the credential for screen readers); none once it is revoked. */
export function RevokeButton<C extends Revocable>({ item, onClick }: { item: C; onClick: (item: C) => void }) {
  if (item.revokedAt) return null;
  return <button type="button" className="danger" onClick={() => onClick(item)}>Revoke<span className="visually-hidden"> {item.name}</span></button>;
}

/** Asks before revoking `item` (open while it is set), with a reason; closes after a success. */
export function RevokeDialog<C extends Revocable>({ item, action, confirmLabel, onClose, children }: { item: C | null; action: Action<unknown>; confirmLabel: string; onClose: () => void; children: ReactNode }) {
  const revoke = useServerAction(action);
  return (
    <ConfirmDialog
      open={item !== null}
      title={`Revoke ${item?.name}?`}
      confirmLabel={confirmLabel}
      danger
      pending={revoke.pending}
      onCancel={onClose}
      onConfirm={async ({ reason }) => {
        const r = await revoke.run({ id: item!.id, reason });
        if (r.ok) onClose();
      }}
    >
      {children}
    </ConfirmDialog>
  );
}
