"use client";

import { createUserAction } from "@/lib/users/server-actions";
import { Field } from "../field";
import { SubmitButton, useActionForm } from "../ui/action-form";

export function CreateUserForm() {
  const { onSubmit, pending, fieldError } = useActionForm(createUserAction);
  return (
    <form className="panel stack" aria-labelledby="new-user-title" onSubmit={onSubmit}>
      <h2 id="new-user-title">Add a user</h2>
      <div className="form-grid">
        <Field label="E-mail" error={fieldError("email")}><input name="email" type="email" required autoComplete="off" /></Field>
        <Field label="Name" error={fieldError("name")}><input name="name" type="text" required maxLength={200} /></Field>
        <Field label="Initial password" hint="At least 12 characters; leave empty for single sign-on only" error={fieldError("password")}>
          <input name="password" type="password" autoComplete="new-password" />
        </Field>
        <Field label="Reason" error={fieldError("reason")}><input name="reason" type="text" /></Field>
      </div>
      <label className="checkbox"><input type="checkbox" name="isSuperAdmin" /> Administrator (every role everywhere, manages users and environments)</label>
      <SubmitButton pending={pending} label="Add user" pendingLabel="Adding…" />
    </form>
  );
}
