"use client";

import { useState } from "react";
import { setUserPasswordAction } from "@/lib/users/server-actions";
import { Field } from "../field";
import { SubmitButton, useActionForm } from "../ui/action-form";

/** Changing your own password ends your other sessions (and this one: sign in again with the new one). */
export function ChangePasswordForm({ userId }: { userId: number }) {
  const [mismatch, setMismatch] = useState(false);
  const { onSubmit, pending, fieldError } = useActionForm(setUserPasswordAction, {
    refresh: false,
    input(fd) {
      const differ = fd.get("password") !== fd.get("confirm");
      setMismatch(differ);
      return differ ? null : { userId, currentPassword: fd.get("currentPassword"), password: fd.get("password") };
    },
    onDone: () => window.location.assign("/login"),
  });
  return (
    <form className="panel stack" style={{ maxWidth: 480 }} aria-labelledby="pw-title" onSubmit={onSubmit}>
      <h2 id="pw-title">Change password</h2>
      <Field label="Current password" error={fieldError("currentPassword")}><input name="currentPassword" type="password" autoComplete="current-password" required /></Field>
      <Field label="New password" hint="At least 12 characters" error={fieldError("password")}><input name="password" type="password" autoComplete="new-password" required minLength={12} /></Field>
      <Field label="New password again" error={mismatch ? "does not match the new password" : undefined}><input name="confirm" type="password" autoComplete="new-password" required minLength={12} /></Field>
      <SubmitButton pending={pending} label="Change password" pendingLabel="Saving…" />
    </form>
  );
}
