"use client";

import { useState } from "react";
import { createApiTokenAction, revokeApiTokenAction } from "@/lib/actions/admin-actions";
import type { ApiTokenView } from "@/lib/services/api-tokens/schemas";
import { ConfirmDialog } from "../confirm-dialog";
import { Field } from "../field";
import { useServerAction } from "../use-server-action";
import { SecretReveal } from "./secret-reveal";

/** Admin API tokens: create (secret shown once), list with scope and last use, revoke. */
export function ApiTokenManager({ tokens, namespaces, superAdmin }: { tokens: ApiTokenView[]; namespaces: string[]; superAdmin: boolean }) {
  const create = useServerAction(createApiTokenAction);
  const revoke = useServerAction(revokeApiTokenAction);
  const [secret, setSecret] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ApiTokenView | null>(null);
  return (
    <>
      {secret && <SecretReveal label="New API token" secret={secret} onDone={() => setSecret(null)} />}
      {tokens.length === 0 ? (
        <p className="empty">No API tokens yet.</p>
      ) : (
        <div className="table-wrap panel" style={{ padding: 0 }}>
          <table>
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Access</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id}>
                  <td>{t.name} {t.revokedAt && <span className="badge danger">revoked</span>}</td>
                  <td><code>{t.prefix}…</code></td>
                  <td>{t.superAdmin ? "administrator" : `${t.role} in ${t.namespaces?.join(", ") ?? "every namespace"}`}</td>
                  <td className="small">{t.createdAt.slice(0, 10)}</td>
                  <td className="small">{t.expiresAt?.slice(0, 10) ?? "never"}</td>
                  <td className="small">{t.lastUsedAt?.replace("T", " ").slice(0, 16) ?? "never"}</td>
                  <td>{!t.revokedAt && <button type="button" className="danger" onClick={() => setRevoking(t)}>Revoke<span className="visually-hidden"> {t.name}</span></button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form
        className="panel stack"
        aria-labelledby="new-token-title"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const r = await create.run(new FormData(form));
          if (r.ok) {
            setSecret(r.data.token);
            form.reset();
          }
        }}
      >
        <h2 id="new-token-title">Create an API token</h2>
        {create.result && !create.result.ok && <p className="alert error" role="alert">{create.result.message}</p>}
        <div className="form-grid">
          <Field label="Name" hint="What uses it, e.g. ci-deploy" error={create.fieldError("name")}><input name="name" type="text" required maxLength={200} /></Field>
          <Field label="Role" error={create.fieldError("role")}>
            <select name="role" defaultValue="editor">
              {["viewer", "reviewer", "editor", "admin"].map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </Field>
          <Field label="Expires in (days)" hint="Empty: never" error={create.fieldError("expiresInDays")}><input name="expiresInDays" type="number" min={1} max={3650} /></Field>
        </div>
        <fieldset style={{ border: "none", padding: 0, margin: 0 }}>
          <legend style={{ fontWeight: 600 }}>Namespaces</legend>
          <div className="row">
            {namespaces.map((n) => <label key={n} className="checkbox"><input type="checkbox" name="namespaces" value={n} /> {n}</label>)}
            {superAdmin && <label className="checkbox"><input type="checkbox" name="allNamespaces" /> every namespace</label>}
          </div>
          {create.fieldError("namespaces") && <span className="error">{create.fieldError("namespaces")}</span>}
        </fieldset>
        {superAdmin && <label className="checkbox"><input type="checkbox" name="superAdmin" /> Administrator token (role must be admin; manages everything)</label>}
        <Field label="Reason"><input name="reason" type="text" maxLength={1000} /></Field>
        <div><button type="submit" className="primary" disabled={create.pending}>{create.pending ? "Creating…" : "Create token"}</button></div>
      </form>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke ${revoking?.name}?`}
        confirmLabel="Revoke token"
        danger
        pending={revoke.pending}
        onCancel={() => setRevoking(null)}
        onConfirm={async ({ reason }) => {
          const r = await revoke.run({ id: revoking!.id, reason });
          if (r.ok) setRevoking(null);
        }}
      >
        <p>Requests with this token are refused from now on. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}
