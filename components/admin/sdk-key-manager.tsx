"use client";

import { useState } from "react";
import { createSdkKeyAction, revokeSdkKeyAction } from "@/lib/actions/sdk-key-actions";
import type { SdkKeyView } from "@/lib/services/sdk-keys/schemas";
import { ConfirmDialog } from "../confirm-dialog";
import { Field } from "../field";
import { useServerAction } from "../use-server-action";
import { SecretReveal } from "./secret-reveal";

/** SDK keys: create (shown once) for one environment and some namespaces, list, revoke. */
export function SdkKeyManager({ keys, environments, namespaces, superAdmin }: { keys: SdkKeyView[]; environments: string[]; namespaces: string[]; superAdmin: boolean }) {
  const create = useServerAction(createSdkKeyAction);
  const revoke = useServerAction(revokeSdkKeyAction);
  const [secret, setSecret] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<SdkKeyView | null>(null);
  return (
    <>
      {secret && <SecretReveal label="New SDK key" secret={secret} onDone={() => setSecret(null)} />}
      {keys.length === 0 ? (
        <p className="empty">No SDK keys yet.</p>
      ) : (
        <div className="table-wrap panel" style={{ padding: 0 }}>
          <table>
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Environment</th><th scope="col">Namespaces</th><th scope="col">Created</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <td>{k.name} {k.revokedAt && <span className="badge danger">revoked</span>}</td>
                  <td><code>{k.prefix}…</code></td>
                  <td>{k.environment}</td>
                  <td>{k.namespaces?.join(", ") ?? "all"}</td>
                  <td className="small">{k.createdAt.slice(0, 10)} by {k.createdBy}</td>
                  <td>{!k.revokedAt && <button type="button" className="danger" onClick={() => setRevoking(k)}>Revoke<span className="visually-hidden"> {k.name}</span></button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form
        className="panel stack"
        aria-labelledby="new-key-title"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const r = await create.run(new FormData(form));
          if (r.ok) {
            setSecret(r.data.key);
            form.reset();
          }
        }}
      >
        <h2 id="new-key-title">Create an SDK key</h2>
        {create.result && !create.result.ok && <p className="alert error" role="alert">{create.result.message}</p>}
        <div className="form-grid">
          <Field label="Name" hint="Which application uses it" error={create.fieldError("name")}><input name="name" type="text" required maxLength={200} /></Field>
          <Field label="Environment" error={create.fieldError("environment")}>
            <select name="environment">{environments.map((e) => <option key={e} value={e}>{e}</option>)}</select>
          </Field>
        </div>
        <fieldset style={{ border: "none", padding: 0, margin: 0 }}>
          <legend style={{ fontWeight: 600 }}>Namespaces it can read</legend>
          <div className="row">
            {namespaces.map((n) => <label key={n} className="checkbox"><input type="checkbox" name="namespaces" value={n} /> {n}</label>)}
            {superAdmin && <label className="checkbox"><input type="checkbox" name="allNamespaces" /> every namespace</label>}
          </div>
          {create.fieldError("namespaces") && <span className="error">{create.fieldError("namespaces")}</span>}
        </fieldset>
        <Field label="Reason"><input name="reason" type="text" maxLength={1000} /></Field>
        <div><button type="submit" className="primary" disabled={create.pending}>{create.pending ? "Creating…" : "Create SDK key"}</button></div>
      </form>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke ${revoking?.name}?`}
        confirmLabel="Revoke key"
        danger
        pending={revoke.pending}
        onCancel={() => setRevoking(null)}
        onConfirm={async ({ reason }) => {
          const r = await revoke.run({ id: revoking!.id, reason });
          if (r.ok) setRevoking(null);
        }}
      >
        <p>Applications using this key lose their stream within a second and cannot reconnect. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}
