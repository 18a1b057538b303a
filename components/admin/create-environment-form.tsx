"use client";

import { createEnvironmentAction } from "@/lib/environments/server-actions";
import { Field } from "../field";
import { SubmitButton, useActionForm } from "../ui/action-form";

export function CreateEnvironmentForm() {
  const { onSubmit, pending, fieldError } = useActionForm(createEnvironmentAction);
  return (
    <form className="panel stack" aria-labelledby="new-env-title" onSubmit={onSubmit}>
      <h2 id="new-env-title">Create an environment</h2>
      <div className="form-grid">
        <Field label="Key" hint="e.g. staging" error={fieldError("key")}>
          <input name="key" type="text" required maxLength={128} autoComplete="off" />
        </Field>
        <Field label="Name" error={fieldError("name")}>
          <input name="name" type="text" required maxLength={200} />
        </Field>
        <Field label="Description" error={fieldError("description")}>
          <input name="description" type="text" maxLength={2000} />
        </Field>
        <Field label="Reason" error={fieldError("reason")}>
          <input name="reason" type="text" maxLength={1000} />
        </Field>
      </div>
      <p className="small muted">Every existing flag gets its default value in the new environment, and SDKs for it receive them at once.</p>
      <SubmitButton pending={pending} label="Create environment" />
    </form>
  );
}
