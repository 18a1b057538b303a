"use client";

import { useState } from "react";
import { createApiTokenAction, revokeApiTokenAction } from "@/lib/api-tokens/server-actions";
import type { ApiTokenView } from "@/lib/api-tokens/schemas";
import { Field } from "../field";
import { FormError, SubmitButton } from "../ui/action-form";
import { NamespaceChoice, RevokeButton, RevokeDialog, useIssueForm } from "./credential-parts";
import { SecretReveal } from "./secret-reveal";

/** Admin API tokens: create (secret shown once), list with scope and last use, revoke. */
export function ApiTokenManager({ tokens, namespaces, superAdmin }: { tokens: ApiTokenView[]; namespaces: string[]; superAdmin: boolean }) {
  const create = useIssueForm(createApiTokenAction, (made) => made.token);
  const [revoking, setRevoking] = useState<ApiTokenView | null>(null);
  return (
    <>
      {create.secret && <SecretReveal label="New API token" secret={create.secret} onDone={create.dismissSecret} />}
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
                  <td><RevokeButton item={t} onClick={setRevoking} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="panel stack" aria-labelledby="new-token-title" onSubmit={create.onSubmit}>
        <h2 id="new-token-title">Create an API token</h2>
        <FormError result={create.result} />
        <div className="form-grid">
          <Field label="Name" hint="What uses it, e.g. ci-deploy" error={create.fieldError("name")}><input name="name" type="text" required maxLength={200} /></Field>
          <Field label="Role" error={create.fieldError("role")}>
            <select name="role" defaultValue="editor">
              {["viewer", "reviewer", "editor", "admin"].map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
          </Field>
          <Field label="Expires in (days)" hint="Empty: never" error={create.fieldError("expiresInDays")}><input name="expiresInDays" type="number" min={1} max={3650} /></Field>
        </div>
        <NamespaceChoice legend="Namespaces" namespaces={namespaces} superAdmin={superAdmin} error={create.fieldError("namespaces")} />
        {superAdmin && <label className="checkbox"><input type="checkbox" name="superAdmin" /> Administrator token (role must be admin; manages everything)</label>}
        <Field label="Reason"><input name="reason" type="text" maxLength={1000} /></Field>
        <SubmitButton pending={create.pending} label="Create token" />
      </form>
      <RevokeDialog item={revoking} action={revokeApiTokenAction} confirmLabel="Revoke token" onClose={() => setRevoking(null)}>
        <p>Requests with this token are refused from now on. This cannot be undone.</p>
      </RevokeDialog>
    </>
  );
}
