"use client";

import { createUserAction } from "@/lib/actions/admin-actions";
import { Field } from "../field";
import { useServerAction } from "../use-server-action";

export function CreateUserForm() {
  const { run, pending, fieldError } = useServerAction(createUserAction);
  return (
    <form
      className="panel stack"
      aria-labelledby="new-user-title"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = e.currentTarget;
        const r = await run(new FormData(form));
        if (r.ok) form.reset();
      }}
    >
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
      <div><button type="submit" className="primary" disabled={pending}>{pending ? "Adding…" : "Add user"}</button></div>
    </form>
  );
}
