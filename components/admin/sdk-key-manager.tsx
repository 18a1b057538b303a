"use client";

import { useState } from "react";
import { createSdkKeyAction, revokeSdkKeyAction } from "@/lib/sdk-keys/server-actions";
import type { SdkKeyView } from "@/lib/sdk-keys/schemas";
import { Field } from "../field";
import { FormError, SubmitButton } from "../ui/action-form";
import { NamespaceChoice, RevokeButton, RevokeDialog, useIssueForm } from "./credential-parts";
import { SecretReveal } from "./secret-reveal";

/** SDK keys: create (shown once) for one environment and some namespaces, list, revoke. */
export function SdkKeyManager({ keys, environments, namespaces, superAdmin }: { keys: SdkKeyView[]; environments: string[]; namespaces: string[]; superAdmin: boolean }) {
  const create = useIssueForm(createSdkKeyAction, (made) => made.key);
  const [revoking, setRevoking] = useState<SdkKeyView | null>(null);
  return (
    <>
      {create.secret && <SecretReveal label="New SDK key" secret={create.secret} onDone={create.dismissSecret} />}
      {keys.length === 0 ? (
        <p className="empty">No SDK keys yet.</p>
      ) : (
        <div className="table-wrap panel" style={{ padding: 0 }}>
          <table>
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Kind</th><th scope="col">Environment</th><th scope="col">Namespaces</th><th scope="col">Created</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <td>{k.name} {k.revokedAt && <span className="badge danger">revoked</span>}</td>
                  <td><code>{k.prefix}…</code></td>
                  <td><span className="badge" title={k.kind === "client" ? `OFREP only; origins: ${k.allowedOrigins?.join(", ") || "none"}` : "stream and snapshot"}>{k.kind}</span></td>
                  <td>{k.environment}</td>
                  <td>{k.namespaces?.join(", ") ?? "all"}</td>
                  <td className="small">{k.createdAt.slice(0, 10)} by {k.createdBy}</td>
                  <td><RevokeButton item={k} onClick={setRevoking} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="panel stack" aria-labelledby="new-key-title" onSubmit={create.onSubmit}>
        <h2 id="new-key-title">Create an SDK key</h2>
        <FormError result={create.result} />
        <div className="form-grid">
          <Field label="Name" hint="Which application uses it" error={create.fieldError("name")}><input name="name" type="text" required maxLength={200} /></Field>
          <Field label="Environment" error={create.fieldError("environment")}>
            <select name="environment">{environments.map((e) => <option key={e} value={e}>{e}</option>)}</select>
          </Field>
          <Field label="Kind" hint="server: services (stream, rules); client: browsers and mobile apps (OFREP evaluation only)" error={create.fieldError("kind")}>
            <select name="kind" defaultValue="server"><option value="server">server</option><option value="client">client</option></select>
          </Field>
          <Field label="Allowed origins" hint="Client keys: browser origins allowed to call OFREP, e.g. https://app.example.com (none by default)" error={create.fieldError("allowedOrigins")}>
            <input name="allowedOrigins" type="text" maxLength={4000} />
          </Field>
        </div>
        <NamespaceChoice legend="Namespaces it can read" namespaces={namespaces} superAdmin={superAdmin} error={create.fieldError("namespaces")} />
        <Field label="Reason"><input name="reason" type="text" maxLength={1000} /></Field>
        <SubmitButton pending={create.pending} label="Create SDK key" />
      </form>
      <RevokeDialog item={revoking} action={revokeSdkKeyAction} confirmLabel="Revoke key" onClose={() => setRevoking(null)}>
        <p>Applications using this key lose their stream within a second and cannot reconnect. This cannot be undone.</p>
      </RevokeDialog>
    </>
  );
}
